// Writing machine configs as Talos does (go-yaml layout, key order, document separators),
// with optional documentation comments.
export {
  type CommentOptions,
  type EncodableDocument,
  type EncodeOptions,
  encodeDocument,
  encodeMachineConfig,
} from "./encode.js";
export { AS_WRITTEN, type KeyOrder, schemaKeyOrder } from "./order.js";
