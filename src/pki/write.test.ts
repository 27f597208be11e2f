import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../errors.js";
import { scratchDir } from "./test-helpers.js";
import { writeSecretFiles } from "./write.js";

describe("writeSecretFiles", () => {
  it("writes every file with mode 0600", () => {
    const dir = scratchDir();
    writeSecretFiles(
      [
        { path: path.join(dir, "a.crt"), shown: "a.crt", data: "A" },
        { path: path.join(dir, "a.key"), shown: "a.key", data: "K" },
      ],
      { force: false },
    );
    expect(fs.readFileSync(path.join(dir, "a.crt"), "utf8")).toBe("A");
    expect(fs.statSync(path.join(dir, "a.key")).mode & 0o777).toBe(0o600);
  });

  it("refuses when any target exists, before writing anything", () => {
    const dir = scratchDir();
    fs.writeFileSync(path.join(dir, "a.key"), "old");
    const files = [
      { path: path.join(dir, "a.crt"), shown: "a.crt", data: "A" },
      { path: path.join(dir, "a.key"), shown: "a.key", data: "K" },
    ];
    expect(() => writeSecretFiles(files, { force: false })).toThrow(
      new UserError('file "a.key" already exists, use --force to overwrite'),
    );
    expect(fs.existsSync(path.join(dir, "a.crt"))).toBe(false);
    writeSecretFiles(files, { force: true });
    expect(fs.readFileSync(path.join(dir, "a.key"), "utf8")).toBe("K");
  });

  it("removes what it created when a later file cannot be written", () => {
    const dir = scratchDir();
    expect(() =>
      writeSecretFiles(
        [
          { path: path.join(dir, "a.crt"), shown: "a.crt", data: "A" },
          { path: path.join(dir, "missing", "a.key"), shown: "missing/a.key", data: "K" },
        ],
        { force: false },
      ),
    ).toThrow("failed to write missing/a.key: no such directory");
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
