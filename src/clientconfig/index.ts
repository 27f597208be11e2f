// The talosconfig (client configuration): model, YAML codec, location rules, safe edits.
export { encodeClientConfig, parseClientConfig } from "./codec.js";
export { compileGlob, globMatch } from "./glob.js";
export {
  type ClientCertificateInfo,
  type ContextInfo,
  clientCertificateInfo,
  describeContext,
  formatCertTtl,
  formatRelativeTime,
  renderContextInfo,
} from "./info.js";
export { type ContextRename, formatRename, mergeClientConfig } from "./merge.js";
export {
  type BasicAuth,
  type ClientConfig,
  type ClientContext,
  type ContextAuth,
  cloneClientConfig,
  compareNames,
  emptyClientConfig,
  getContext,
  hasContext,
  knownContextsHint,
  newContextMap,
  type SideroV1Auth,
  sortedContextNames,
} from "./model.js";
export {
  type ClientConfigLocation,
  type ClientConfigOptions,
  locateClientConfig,
  SYSTEM_TALOSCONFIG,
  talosHome,
} from "./paths.js";
export {
  decodeContextPem,
  type PemField,
  type ResolveContextOptions,
  type ResolvedContext,
  resolveContext,
} from "./resolve.js";
export {
  type ClientConfigFile,
  CONFIG_DIR_MODE,
  CONFIG_FILE_MODE,
  type ContextNodesOptions,
  contextNames,
  contextNodes,
  type OpenClientConfigOptions,
  type OpenContextOptions,
  openClientConfig,
  openContext,
  readClientConfigFile,
  saveClientConfig,
  type UpdateOptions,
  type UpdateResult,
  updateClientConfig,
} from "./store.js";
