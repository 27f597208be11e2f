import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it, onTestFinished } from "vitest";
import { extractTarGz, safeEntryPath } from "./tar.js";

interface Entry {
  name: string;
  type?: "0" | "5" | "2" | "1" | "3";
  data?: string;
  link?: string;
  mode?: number;
}

function header(name: string, type: string, size: number, mode: number, link = ""): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write(`${mode.toString(8).padStart(7, "0")}\0`, 100);
  h.write("0000000\0", 108);
  h.write("0000000\0", 116);
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124);
  h.write(
    `${Math.floor(Date.now() / 1000)
      .toString(8)
      .padStart(11, "0")}\0`,
    136,
  );
  h.write("        ", 148);
  h.write(type, 156);
  h.write(link, 157, 100, "utf8");
  h.write("ustar\0", 257);
  h.write("00", 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
  return h;
}

function pax(name: string): Buffer {
  const record = (k: string, v: string) => {
    const body = ` ${k}=${v}\n`;
    let len = body.length + String(body.length).length;
    if (String(len).length !== String(body.length).length) len++;
    return `${len}${body}`;
  };
  const data = Buffer.from(record("path", name));
  return Buffer.concat([
    header("PaxHeaders/x", "x", data.length, 0o644),
    data,
    Buffer.alloc((512 - (data.length % 512)) % 512),
  ]);
}

function tarGz(entries: Entry[], longNames = false): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? "0";
    const data = Buffer.from(e.data ?? "");
    if (longNames) parts.push(pax(e.name));
    parts.push(
      header(longNames ? "short" : e.name, type, type === "0" ? data.length : 0, e.mode ?? 0o644, e.link),
    );
    if (type === "0") parts.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}

async function* chunks(buf: Buffer, size = 97): AsyncIterable<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** A scratch directory removed when the test ends. */
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tar-test-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("safeEntryPath", () => {
  it("keeps names inside the destination and refuses the rest", () => {
    expect(safeEntryPath("./a/b/../c")).toBe("a/c");
    expect(safeEntryPath(".")).toBe("");
    expect(safeEntryPath("dir/")).toBe("dir");
    expect(() => safeEntryPath("../x")).toThrow(
      'refusing to extract "../x": the path escapes the destination directory',
    );
    expect(() => safeEntryPath("a/../../x")).toThrow(/escapes/);
    expect(() => safeEntryPath("/etc/passwd")).toThrow(/absolute paths are not extracted/);
  });
});

describe("extractTarGz", () => {
  it("unpacks files, directories and links into a new directory", async () => {
    const dir = tmp();
    const dest = path.join(dir, "out");
    const r = await extractTarGz(
      chunks(
        tarGz([
          { name: "log/", type: "5", mode: 0o755 },
          { name: "log/a.txt", data: "hello\n" },
          { name: "log/big.bin", data: "x".repeat(5000), mode: 0o600 },
          { name: "log/current", type: "2", link: "a.txt" },
          { name: "log/hard", type: "1", link: "log/a.txt" },
        ]),
      ),
      dest,
    );
    expect(r).toMatchObject({ files: 3, directories: 1, symlinks: 1 });
    expect(fs.readFileSync(path.join(dest, "log/a.txt"), "utf8")).toBe("hello\n");
    expect(fs.readFileSync(path.join(dest, "log/big.bin"), "utf8")).toHaveLength(5000);
    expect(fs.statSync(path.join(dest, "log/big.bin")).mode & 0o777).toBe(0o600);
    expect(fs.readlinkSync(path.join(dest, "log/current"))).toBe("a.txt");
    expect(fs.readFileSync(path.join(dest, "log/hard"), "utf8")).toBe("hello\n");
    expect(fs.readdirSync(dir)).toEqual(["out"]);
  });

  it("reads PAX long names and merges into an existing directory", async () => {
    const dest = tmp();
    fs.writeFileSync(path.join(dest, "keep.txt"), "mine");
    const long = `${"d".repeat(120)}/file.txt`;
    await extractTarGz(chunks(tarGz([{ name: long, data: "deep" }], true)), dest);
    expect(fs.readFileSync(path.join(dest, long), "utf8")).toBe("deep");
    expect(fs.readFileSync(path.join(dest, "keep.txt"), "utf8")).toBe("mine");
  });

  it("never replaces a FIFO or a symbolic link of the destination, and moves nothing when it refuses", async () => {
    const dest = tmp();
    const outside = tmp();
    execFileSync("mkfifo", [path.join(dest, "pipe")]);
    fs.writeFileSync(path.join(outside, "target.txt"), "outside");
    fs.symlinkSync(path.join(outside, "target.txt"), path.join(dest, "link"));
    fs.symlinkSync(outside, path.join(dest, "dirlink"));
    fs.writeFileSync(path.join(dest, "plain.txt"), "old");
    for (const [entries, error] of [
      [
        [
          { name: "plain.txt", data: "new" },
          { name: "pipe", data: "x" },
        ],
        /"pipe": .*\/pipe is a named pipe \(FIFO\), and only regular files are replaced$/,
      ],
      [
        [
          { name: "plain.txt", data: "new" },
          { name: "link", data: "x" },
        ],
        /"link": .*\/link is a symbolic link, and only regular files are replaced$/,
      ],
      [
        [
          { name: "plain.txt", data: "new" },
          { name: "dirlink/evil.txt", data: "x" },
        ],
        /"dirlink": .*\/dirlink is a symbolic link/,
      ],
    ] as [Entry[], RegExp][]) {
      await expect(extractTarGz(chunks(tarGz(entries)), dest)).rejects.toThrow(error);
      // Untouched: the FIFO is a FIFO, the links still lead where they did, nothing was merged.
      expect(fs.lstatSync(path.join(dest, "pipe")).isFIFO()).toBe(true);
      expect(fs.readFileSync(path.join(dest, "link"), "utf8")).toBe("outside");
      expect(fs.readlinkSync(path.join(dest, "dirlink"))).toBe(outside);
      expect(fs.readFileSync(path.join(dest, "plain.txt"), "utf8")).toBe("old");
      expect(fs.readdirSync(outside)).toEqual(["target.txt"]);
      expect(
        fs
          .readdirSync(path.dirname(dest))
          .filter((n) => n.startsWith(`.${path.basename(dest)}.talosctl-copy-`)),
      ).toEqual([]);
    }
  });

  it("writes through a destination that is a symbolic link to a directory", async () => {
    const dir = tmp();
    const real = path.join(dir, "real");
    fs.mkdirSync(real);
    fs.symlinkSync(real, path.join(dir, "via"));
    await extractTarGz(chunks(tarGz([{ name: "a.txt", data: "through" }])), path.join(dir, "via"));
    expect(fs.lstatSync(path.join(dir, "via")).isSymbolicLink()).toBe(true);
    expect(fs.readFileSync(path.join(real, "a.txt"), "utf8")).toBe("through");
    fs.symlinkSync(path.join(dir, "missing"), path.join(dir, "dangling"));
    await expect(extractTarGz(chunks(tarGz([])), path.join(dir, "dangling"))).rejects.toThrow(
      /should be a directory/,
    );
    expect(fs.existsSync(path.join(dir, "missing"))).toBe(false);
  });

  it.each([
    [[{ name: "../escape.txt", data: "x" }], /"..\/escape.txt": the path escapes/],
    [[{ name: "/etc/evil", data: "x" }], /absolute paths are not extracted/],
    [
      [
        { name: "link", type: "2", link: "/tmp" },
        { name: "link/evil", data: "x" },
      ],
      /"link\/evil": the path passes through a symbolic link/,
    ],
    [[{ name: "h", type: "1", link: "../../etc/passwd" }], /escapes/],
    [[{ name: "h", type: "1", link: "missing" }], /hard link target "missing" is not a file of the archive/],
  ] as [Entry[], RegExp][])(
    "refuses an archive that would reach outside (%#), writing nothing",
    async (entries, error) => {
      const dir = tmp();
      const dest = path.join(dir, "out");
      const before = [{ name: "ok.txt", data: "fine" }, ...entries];
      await expect(extractTarGz(chunks(tarGz(before)), dest)).rejects.toThrow(error);
      expect(fs.readdirSync(dir)).toEqual([]);
      expect(fs.existsSync(path.join(path.dirname(dir), "escape.txt"))).toBe(false);
    },
  );

  it("refuses a destination that is a file, and a stream that is not gzip or is cut short", async () => {
    const dir = tmp();
    const file = path.join(dir, "f");
    fs.writeFileSync(file, "");
    await expect(extractTarGz(chunks(tarGz([])), file)).rejects.toThrow(/should be a directory/);
    await expect(
      extractTarGz(chunks(Buffer.from("plain text, not gzip")), path.join(dir, "a")),
    ).rejects.toThrow(/not valid gzip/);
    const whole = tarGz([{ name: "x", data: "y".repeat(3000) }]);
    const { gunzipSync } = await import("node:zlib");
    const cut = gzipSync(gunzipSync(whole).subarray(0, 1000));
    await expect(extractTarGz(chunks(cut), path.join(dir, "b"))).rejects.toThrow(/truncated/);
    expect(fs.readdirSync(dir)).toEqual(["f"]);
  });
});
