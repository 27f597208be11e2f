// The COSI-style resource store and the resource types the node publishes.
export {
  type DefinitionInput,
  defineResource,
  type PrintColumn,
  type ResourceDefinition,
  singular,
} from "./definition.js";
export * from "./kinds.js";
export {
  NAMESPACE_TYPE,
  type Resource,
  type ResourceKind,
  ResourceStore,
  type SetOptions,
  STORE_HISTORY,
  type StoreEvent,
  type StoreEventType,
  type WatchFilter,
} from "./store.js";
export { specYaml, tombstone, toWireResource } from "./wire.js";
