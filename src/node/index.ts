// The emulated Talos node as a library: start one in-process, or parse talos-node's flags.
export { type Clock, createClock } from "./clock.js";
export { type CreateNodeOptions, createNode, type NodeMode, readyLine, type TalosNode } from "./node.js";
export { DEFAULT_LISTEN, type NodeOptions, parseNodeArgs } from "./options.js";
