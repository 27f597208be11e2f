// `talosctl cgroups`: the node's cgroup tree read from /sys/fs/cgroup, and its columns.
export { CGROUP_MOUNT_PATH, CgroupsReadError, type FetchOptions, fetchCgroupTree } from "./fetch.js";
export { PRESET_NAMES, PRESETS } from "./presets.js";
export { type Column, parseSchema, printTree, Schema, SchemaError } from "./schema.js";
export { goFormat, sprintf, Template, TemplateError, truth } from "./template.js";
export { CgroupNode, deviceNamesFromTarGz, treeFromTarGz } from "./tree.js";
export {
  CgValue,
  type FlatMap,
  GoMap,
  humanizeIBytes,
  type NestedKeyed,
  parseValue,
  RawValue,
} from "./values.js";
