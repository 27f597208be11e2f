export {
  readError,
  readTextFile,
  type WriteFileOptions,
  type WriteOutputOptions,
  writeError,
  writeFileAtomic,
  writeOutputFile,
} from "./atomic.js";
