// talosctl machineconfig gen (mc gen): the same command as `gen config`, with the same flags.
export { command } from "../gen/config.js";
