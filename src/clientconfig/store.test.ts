import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lockPathFor } from "../fsutil/index.js";
import { encodeClientConfig } from "./codec.js";
import { emptyClientConfig } from "./model.js";
import { resolveContext } from "./resolve.js";
import {
  contextNames,
  contextNodes,
  openClientConfig,
  openContext,
  saveClientConfig,
  updateClientConfig,
} from "./store.js";

let root: string;
let home: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "clientconfig-store-"));
  home = path.join(root, "home");
  fs.mkdirSync(home);
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const SAMPLE =
  "context: a\ncontexts:\n    a:\n        endpoints: []\n        nodes:\n            - n1\n    b:\n        endpoints: []\n";

function mode(p: string): number {
  return fs.statSync(p).mode & 0o777;
}

describe("openClientConfig", () => {
  it("creates an empty ~/.talos/config (dir 0700, file 0600) when none exists", () => {
    const file = openClientConfig({ env: {}, homedir: home, systemPath: path.join(root, "none") });
    const expected = path.join(home, ".talos", "config");
    expect(file).toEqual({ path: expected, writable: true, config: { context: "", contexts: {} } });
    expect(fs.readFileSync(expected, "utf8")).toBe('context: ""\ncontexts: {}\n');
    expect(mode(expected)).toBe(0o600);
    expect(mode(path.dirname(expected))).toBe(0o700);
    expect(fs.readdirSync(path.dirname(expected))).toEqual(["config"]);
  });

  it("creates nothing when asked not to", () => {
    const file = openClientConfig({
      env: {},
      homedir: home,
      create: false,
      systemPath: path.join(root, "none"),
    });
    expect(file.config).toEqual({ context: "", contexts: {} });
    expect(fs.existsSync(path.join(home, ".talos"))).toBe(false);
  });

  it("never replaces an existing file and reads it", () => {
    const p = path.join(root, "tc");
    fs.writeFileSync(p, SAMPLE);
    expect(Object.keys(openClientConfig({ path: p, env: {}, homedir: home }).config.contexts)).toEqual([
      "a",
      "b",
    ]);
    expect(fs.readFileSync(p, "utf8")).toBe(SAMPLE);
  });

  it("fails with the file's name when it cannot be created", () => {
    const blocker = path.join(root, "a-file");
    fs.writeFileSync(blocker, "x");
    expect(() => openClientConfig({ path: path.join(blocker, "config"), env: {}, homedir: home })).toThrow(
      `failed to write ${path.join(blocker, "config")}: ${blocker} is not a directory`,
    );
  });
});

describe("saveClientConfig", () => {
  it("refuses the read-only in-pod config", () => {
    const p = path.join(root, "pod-config");
    fs.writeFileSync(p, SAMPLE);
    const file = openClientConfig({ env: {}, homedir: home, systemPath: p });
    expect(file.writable).toBe(false);
    expect(() => saveClientConfig(file)).toThrow(`not allowed to write to config: ${p}`);
    expect(fs.readFileSync(p, "utf8")).toBe(SAMPLE);
  });
});

describe("updateClientConfig", () => {
  it("applies the edit to the latest content and writes atomically with mode 0600", async () => {
    const p = path.join(root, "dir", "tc");
    const result = await updateClientConfig({ path: p, env: {}, homedir: home }, (config) => {
      config.contexts.x = { endpoints: ["e"] };
      config.context = "x";
      return 42;
    });
    expect(result).toEqual({ path: p, value: 42, written: true });
    expect(fs.readFileSync(p, "utf8")).toBe(
      "context: x\ncontexts:\n    x:\n        endpoints:\n            - e\n",
    );
    expect(mode(p)).toBe(0o600);
    expect(mode(path.dirname(p))).toBe(0o700);
    expect(fs.readdirSync(path.dirname(p))).toEqual(["tc"]);
  });

  it("leaves an unchanged file alone", async () => {
    const p = path.join(root, "tc");
    fs.writeFileSync(p, SAMPLE, { mode: 0o600 });
    const before = fs.statSync(p).ino;
    const result = await updateClientConfig({ path: p, env: {}, homedir: home }, (config) => {
      config.context = "a";
    });
    expect(result.written).toBe(false);
    expect(fs.statSync(p).ino).toBe(before);
  });

  it("writes nothing when the edit throws", async () => {
    const p = path.join(root, "tc");
    fs.writeFileSync(p, SAMPLE);
    await expect(
      updateClientConfig({ path: p, env: {}, homedir: home }, (config) => {
        config.contexts.c = { endpoints: [] };
        throw new Error("no");
      }),
    ).rejects.toThrow("no");
    expect(fs.readFileSync(p, "utf8")).toBe(SAMPLE);
    expect(fs.readdirSync(root).sort()).toEqual(["home", "tc"]);
  });

  it("refuses to overwrite a garbage file", async () => {
    const p = path.join(root, "tc");
    fs.writeFileSync(p, "contexts: 5\n");
    await expect(updateClientConfig({ path: p, env: {}, homedir: home }, () => {})).rejects.toThrow(
      `failed to parse talosconfig ${p}: line 1:11:`,
    );
    expect(fs.readFileSync(p, "utf8")).toBe("contexts: 5\n");
  });

  it("refuses the read-only location and unwritable paths with one clear line", async () => {
    const pod = path.join(root, "pod-config");
    fs.writeFileSync(pod, SAMPLE);
    await expect(updateClientConfig({ env: {}, homedir: home, systemPath: pod }, () => {})).rejects.toThrow(
      `not allowed to write to config: ${pod}`,
    );
    const blocker = path.join(root, "a-file");
    fs.writeFileSync(blocker, "x");
    const under = path.join(blocker, "sub", "config");
    await expect(updateClientConfig({ path: under, env: {}, homedir: home }, () => {})).rejects.toThrow(
      `failed to write ${under}: a parent is not a directory`,
    );
  });

  it("serialises concurrent edits in one process", async () => {
    const p = path.join(root, "tc");
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        updateClientConfig({ path: p, env: {}, homedir: home }, async (config) => {
          // An edit that takes a moment: unserialised edits would interleave and lose contexts.
          await new Promise((r) => setTimeout(r, 1));
          config.contexts[`c${i}`] = { endpoints: [] };
        }),
      ),
    );
    const { config } = openClientConfig({ path: p, env: {}, homedir: home });
    expect(Object.keys(config.contexts).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `c${i}`).sort());
    expect(fs.existsSync(lockPathFor(p))).toBe(false);
  });
});

describe("contextNames and contextNodes", () => {
  it("read names and nodes without creating anything", () => {
    const p = path.join(root, "tc");
    fs.writeFileSync(p, SAMPLE);
    expect(contextNames({ path: p, env: {}, homedir: home })).toEqual(["a", "b"]);
    expect(contextNodes({ path: p, env: {}, homedir: home })).toEqual(["n1"]);
    expect(contextNodes({ path: p, context: "b", env: {}, homedir: home })).toEqual([]);
    expect(contextNames({ env: { TALOSCONFIG: p }, homedir: home })).toEqual(["a", "b"]);
    expect(contextNames({ env: {}, homedir: home, systemPath: path.join(root, "none") })).toEqual([]);
    expect(fs.existsSync(path.join(home, ".talos"))).toBe(false);
  });

  it("return [] for broken or missing files instead of throwing", () => {
    const garbage = path.join(root, "garbage");
    fs.writeFileSync(garbage, Buffer.from([0, 1, 2, 255]));
    for (const p of [garbage, path.join(root, "missing"), root]) {
      expect(contextNames({ path: p, env: {}, homedir: home })).toEqual([]);
      expect(contextNodes({ path: p, context: "a", env: {}, homedir: home })).toEqual([]);
    }
    expect(contextNames({ env: {}, homedir: "" })).toEqual([]);
  });
});

describe("resolveContext", () => {
  const config = { ...emptyClientConfig(), context: "a" };
  config.contexts.a = { endpoints: ["e"], nodes: ["n"] };
  config.contexts.b = { endpoints: [] };

  it("picks --context, else the current context, and returns a copy", () => {
    const a = resolveContext(config, undefined);
    expect(a).toEqual({ name: "a", endpoints: ["e"], nodes: ["n"] });
    a.endpoints.push("x");
    expect(config.contexts.a!.endpoints).toEqual(["e"]);
    expect(resolveContext(config, "b").name).toBe("b");
  });

  it("explains what is missing and lists the known contexts", () => {
    expect(() => resolveContext(config, "zz")).toThrow(
      'context "zz" not found in config (known contexts: a, b)',
    );
    expect(() => resolveContext(config, "zz", { wording: "config" })).toThrow(
      'context "zz" is not defined (known contexts: a, b)',
    );
    expect(() => resolveContext({ ...config, context: "gone" })).toThrow(
      'default context "gone" not found in config (known contexts: a, b)',
    );
    expect(() => resolveContext({ ...config, context: "" })).toThrow(
      /^no context is set \(known contexts: a, b\)/,
    );
    expect(() => resolveContext(emptyClientConfig(), undefined, { path: "/x/config" })).toThrow(
      "talosconfig /x/config is empty",
    );
    expect(() => resolveContext(emptyClientConfig())).toThrow("talos config file is empty");
    expect(() => resolveContext(emptyClientConfig(), "q")).toThrow(
      'context "q" not found in config (no contexts defined)',
    );
  });
});

it("encodes what it reads back unchanged", () => {
  const p = path.join(root, "tc");
  fs.writeFileSync(p, SAMPLE);
  expect(encodeClientConfig(openClientConfig({ path: p, env: {}, homedir: home }).config)).toBe(SAMPLE);
});

describe("openContext", () => {
  it("opens the file and selects the context with the client factory's errors", () => {
    const p = path.join(root, "tc");
    fs.writeFileSync(p, SAMPLE);
    const { file, context } = openContext({ path: p, env: {}, homedir: home });
    expect(file.path).toBe(p);
    expect(context).toEqual({ name: "a", endpoints: [], nodes: ["n1"] });
    expect(openContext({ path: p, context: "b", env: {}, homedir: home }).context.name).toBe("b");
    expect(() => openContext({ path: p, context: "c", env: {}, homedir: home })).toThrow(
      'context "c" not found in config (known contexts: a, b)',
    );
    const fresh = path.join(root, "fresh");
    expect(() => openContext({ path: fresh, env: {}, homedir: home })).toThrow(
      `talosconfig ${fresh} is empty`,
    );
    expect(fs.readFileSync(fresh, "utf8")).toBe('context: ""\ncontexts: {}\n');
  });
});

it("updates a symlinked talosconfig where it points, keeping the link", async () => {
  const real = path.join(root, "dotfiles", "talosconfig");
  fs.mkdirSync(path.dirname(real));
  fs.writeFileSync(real, SAMPLE);
  const link = path.join(root, "link");
  fs.symlinkSync(real, link);
  await updateClientConfig({ path: link, env: {}, homedir: home }, (config) => {
    config.context = "b";
  });
  expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
  expect(fs.readFileSync(real, "utf8")).toMatch(/^context: b\n/);
});
