// The STATE directory: persisted machine config and node identity, written atomically.
export { CONFIG_FILE, IDENTITY_FILE, LOCK_FILE, type NodeIdentity, StateDir } from "./state-dir.js";
