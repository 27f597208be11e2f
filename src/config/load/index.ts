// The strict machine-config loader: YAML text → typed, located documents (config.md §5.2).
export { ConfigError, ConfigErrors } from "./config-errors.js";
export { MAX_ALIAS_EXPANDED_NODES, MAX_CONFIG_BYTES, MAX_NESTING_DEPTH, MAX_YAML_ALIASES } from "./limits.js";
export { decodeConfigText, type LoadOptions, loadMachineConfig, loadMachineConfigFile } from "./loader.js";
