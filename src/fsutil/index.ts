export {
  readError,
  readTextFile,
  setDurableWrites,
  type WriteFileOptions,
  type WriteOutputOptions,
  writeError,
  writeFileAtomic,
  writeOutputFile,
  writeTarget,
} from "./atomic.js";
export { type FileLockOptions, LOCK_STALE_MS, LOCK_TIMEOUT_MS, lockPathFor, withFileLock } from "./lock.js";
