// `gen config` as a library: machine configs per version contract, the talosconfig of a new
// cluster, and the checks of the command's arguments.
export {
  CURRENT_CONTRACT,
  contractVersionString,
  formatContract,
  type GateName,
  gates,
  OLDEST_CONTRACT,
  parseTalosVersion,
  type VersionContract,
} from "./contract.js";
export { DEFAULT_CONTROL_PLANE_PORT, validateClusterEndpoint } from "./endpoint.js";
export {
  adminClientConfig,
  buildMachineConfig,
  type ConfigPatches,
  type GeneratedConfigs,
  type GeneratedDocuments,
  type GenerateOptions,
  generateConfigs,
  loadConfigPatches,
} from "./generate.js";
export type { GenerateInput, MachineType, RegistryMirror } from "./input.js";
export {
  CONFIG_VERSION,
  checkConfigVersion,
  DEFAULT_DNS_DOMAIN,
  DEFAULT_INSTALL_DISK,
  defaultInstallImage,
  parseKubernetesVersion,
  parseRegistryMirrors,
} from "./options.js";
export { OUTPUT_TYPES, type OutputPlan, type OutputRequest, type OutputType, planOutputs } from "./output.js";
