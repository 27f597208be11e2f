// Writing a set of key/certificate files together (mode 0600): every target is checked before
// any is written, and a failure removes the files this call created, so no half set remains.
import fs from "node:fs";
import { UserError } from "../errors.js";
import { writeError, writeFileAtomic, writeTarget } from "../fsutil/index.js";

export interface SecretFile {
  /** Where to write (absolute, or relative to the process). */
  readonly path: string;
  /** How messages name it (the path as the user gave it). */
  readonly shown: string;
  readonly data: string | Uint8Array;
}

/** Mode of every private file Talos writes (keys, certificates, bundles). */
export const SECRET_FILE_MODE = 0o600;

export function writeSecretFiles(files: readonly SecretFile[], options: { force: boolean }): void {
  const existed = files.map((f) => fs.existsSync(f.path));
  if (!options.force) {
    const taken = files.find((_, i) => existed[i]);
    if (taken) throw new UserError(`file "${taken.shown}" already exists, use --force to overwrite`);
  }
  const created: string[] = [];
  for (const [i, file] of files.entries()) {
    try {
      writeFileAtomic(file.path, file.data, { mode: SECRET_FILE_MODE });
    } catch (err) {
      for (const done of created) fs.rmSync(done, { force: true });
      throw writeError(file.shown, err instanceof UserError && err.cause !== undefined ? err.cause : err);
    }
    // A dangling symlink made a file where it points: that file is what to remove.
    if (!existed[i]) created.push(createdPath(file.path));
  }
}

function createdPath(file: string): string {
  try {
    return writeTarget(file).path;
  } catch {
    return file;
  }
}
