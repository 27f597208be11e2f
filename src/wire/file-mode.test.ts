import { describe, expect, it } from "vitest";
import { fileModeString, isDirectoryMode } from "./file-mode.js";

describe("file modes", () => {
  it("prints Go FileMode bits and POSIX st_mode alike", () => {
    expect(fileModeString(2 ** 31 + 0o755)).toBe("drwxr-xr-x");
    expect(fileModeString(0o040755)).toBe("drwxr-xr-x");
    expect(fileModeString(0o100644)).toBe("-rw-r--r--");
    expect(fileModeString(0o644)).toBe("-rw-r--r--");
    expect(fileModeString(2 ** 27 + 0o777)).toBe("Lrwxrwxrwx");
    expect(fileModeString(0o120777)).toBe("Lrwxrwxrwx");
    expect(isDirectoryMode(0o040700)).toBe(true);
    expect(isDirectoryMode(0o644)).toBe(false);
  });
});
