// The strict machine-config loader: YAML text → typed, located documents (as siderolabs/talos:
// pkg/machinery/config/configloader/configloader.go decodes them).
export { ConfigError, ConfigErrors } from "./config-errors.js";
export {
  MAX_ALIAS_EXPANDED_NODES,
  MAX_CONFIG_BYTES,
  MAX_NESTING_DEPTH,
  MAX_REPORTED_PROBLEMS,
  MAX_YAML_ALIASES,
  MAX_YAML_TOKENS,
} from "./limits.js";
export { decodeConfigText, type LoadOptions, loadMachineConfig, loadMachineConfigFile } from "./loader.js";
