// The node's COSI resources: the catalogue of every type Talos registers, how each spec travels
// (proto_spec and yaml_spec from one value), the in-memory state with its watch history, and the
// controller runtime that derives resources from the machine.
export {
  CATALOGUE,
  type CatalogueEntry,
  catalogueEntry,
  NAMESPACE_DESCRIPTIONS,
  NAMESPACES,
  NS,
  type PrintColumn,
  type SpecForm,
} from "./catalogue.js";
export { type CelExpr, celText, checkedExpr, checkedExprText, parseCel } from "./cel-expr.js";
export { linkFlags, linkFlagsText, macBytes, macText } from "./codecs.js";
export {
  type Controller,
  type ControllerContext,
  ControllerRuntime,
  type PutOptions,
} from "./controller.js";
export { enumNumber, enumText } from "./enum-text.js";
export {
  allKinds,
  definitionKind,
  deviceConfigKind,
  kindOf,
  MACHINE_CONFIG_ANNOTATIONS,
  type MachineTypeName,
  machineConfigKind,
  machineTypeKind,
  messageKind,
  NAMESPACE_TYPE,
  namespaceKind,
  type ResourceDefinition,
  type ResourceKind,
  spec,
  specMessage,
} from "./kinds.js";
export { goTime, hasLayout, ipBytes, ipText, messageView } from "./spec-yaml.js";
export {
  decodeBookmark,
  encodeBookmark,
  HISTORY_GAP,
  HISTORY_INITIAL_CAPACITY,
  HISTORY_MAX_CAPACITY,
  type Resource,
  ResourceStore,
  type SetOptions,
  type StoreEvent,
  type StoreEventType,
  type WatchFilter,
} from "./store.js";
export { tombstone, toWireResource, VERSION_UNDEFINED } from "./wire.js";
export { specYaml } from "./yaml.js";
