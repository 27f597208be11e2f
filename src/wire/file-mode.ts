// File modes as Go's os.FileMode carries them on the wire (FileInfo.mode): the type bits sit
// at the top of the 32-bit word, not in POSIX's st_mode bits 12-15. The node encodes its files'
// modes so, and talosctl reads either kind and prints them as Go's FileMode.String() does.

// Go's os.FileMode type bits, highest first, with the letters its String() uses.
const GO_MODE_LETTERS: readonly [number, string][] = [
  [31, "d"],
  [30, "a"],
  [29, "l"],
  [28, "T"],
  [27, "L"],
  [26, "D"],
  [25, "p"],
  [24, "S"],
  [23, "u"],
  [22, "g"],
  [21, "c"],
  [20, "t"],
  [19, "?"],
];

/** Go's os.FileMode bits above the permission bits. */
export const GO_FILE_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
  irregular: 2 ** 19,
} as const;

/**
 * A FileInfo mode as Go's os.FileMode bits. Talos sends Go's FileMode; a POSIX st_mode (type
 * in bits 12-15, which FileMode never uses) is converted, so either kind of server reads right.
 */
export function toGoFileMode(mode: number): number {
  const m = mode >>> 0;
  const posixType = m & 0o170000;
  if (posixType === 0) return m;
  let go = m & 0o777;
  switch (posixType) {
    case 0o040000:
      go += GO_FILE_MODE.dir;
      break;
    case 0o120000:
      go += GO_FILE_MODE.symlink;
      break;
    case 0o020000:
      go += GO_FILE_MODE.device + GO_FILE_MODE.charDevice;
      break;
    case 0o060000:
      go += GO_FILE_MODE.device;
      break;
    case 0o010000:
      go += GO_FILE_MODE.namedPipe;
      break;
    case 0o140000:
      go += GO_FILE_MODE.socket;
      break;
    default:
      break;
  }
  if (m & 0o4000) go += GO_FILE_MODE.setuid;
  if (m & 0o2000) go += GO_FILE_MODE.setgid;
  if (m & 0o1000) go += GO_FILE_MODE.sticky;
  return go;
}

/** Go's FileMode.String(): `drwxr-xr-x`, `Lrwxrwxrwx`, `-rw-r--r--`. */
export function fileModeString(mode: number): string {
  const m = toGoFileMode(mode);
  let out = "";
  for (const [bit, letter] of GO_MODE_LETTERS) if (Math.floor(m / 2 ** bit) % 2 === 1) out += letter;
  if (out === "") out = "-";
  const rwx = "rwxrwxrwx";
  for (let i = 0; i < 9; i++) out += m & (1 << (8 - i)) ? rwx[i] : "-";
  return out;
}

/** True when a FileInfo mode (either kind) is a directory. */
export function isDirectoryMode(mode: number): boolean {
  return Math.floor(toGoFileMode(mode) / GO_FILE_MODE.dir) % 2 === 1;
}
