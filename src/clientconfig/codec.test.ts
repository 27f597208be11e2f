import { describe, expect, it } from "vitest";
import { encodeClientConfig, parseClientConfig } from "./codec.js";
import { type ClientConfig, newContextMap } from "./model.js";

const SRC = "/home/u/.talos/config";

function configOf(context: string, contexts: ClientConfig["contexts"]): ClientConfig {
  const map = newContextMap();
  Object.assign(map, contexts);
  return { context, contexts: map };
}

function parseError(text: string | Uint8Array): string {
  try {
    parseClientConfig(text, SRC);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected a parse error");
}

describe("encodeClientConfig", () => {
  it("writes talosctl's layout: 4-space indent, field order, omitted empties, endpoints always", () => {
    const text = encodeClientConfig(
      configOf("prod", {
        prod: {
          proxyUrl: "socks5://127.0.0.1:1080",
          cluster: "c1",
          auth: { siderov1: { identity: "me@example.com" }, basic: { username: "u", password: "p" } },
          key: "S0VZ",
          crt: "Q1JU",
          ca: "Q0E=",
          nodes: ["10.5.0.2", "10.5.0.3"],
          endpoints: ["10.5.0.1"],
        },
        empty: { endpoints: [], nodes: [], ca: "", cluster: "" },
      }),
    );
    expect(text).toBe(
      [
        "context: prod",
        "contexts:",
        "    empty:",
        "        endpoints: []",
        "    prod:",
        "        endpoints:",
        "            - 10.5.0.1",
        "        nodes:",
        "            - 10.5.0.2",
        "            - 10.5.0.3",
        "        ca: Q0E=",
        "        crt: Q1JU",
        "        key: S0VZ",
        "        auth:",
        "            basic:",
        "                username: u",
        "                password: p",
        "            siderov1:",
        "                identity: me@example.com",
        "        cluster: c1",
        "        proxy-url: socks5://127.0.0.1:1080",
        "",
      ].join("\n"),
    );
  });

  it("writes an empty config as talosctl creates it", () => {
    expect(encodeClientConfig(configOf("", {}))).toBe('context: ""\ncontexts: {}\n');
  });

  it("sorts context names with numbers in numeric order", () => {
    const text = encodeClientConfig(
      configOf("a", {
        "a-10": { endpoints: [] },
        "a-2": { endpoints: [] },
        b: { endpoints: [] },
        a: { endpoints: [] },
      }),
    );
    const names = text
      .split("\n")
      .filter((l) => /^ {4}\S/.test(l))
      .map((l) => l.trim());
    expect(names).toEqual(["a:", "a-2:", "a-10:", "b:"]);
  });

  it("sorts a non-letter before a letter where names first differ, as go-yaml does", () => {
    const text = encodeClientConfig(
      configOf("a", { aB: { endpoints: [] }, a_b: { endpoints: [] }, "a-1": { endpoints: [] } }),
    );
    const names = text
      .split("\n")
      .filter((l) => /^ {4}\S/.test(l))
      .map((l) => l.trim());
    expect(names).toEqual(["a-1:", "a_b:", "aB:"]);
  });

  it("quotes strings other YAML readers would take for booleans or numbers", () => {
    const text = encodeClientConfig(configOf("yes", { yes: { endpoints: ["on", "1.0", "10.5.0.2"] } }));
    expect(text).toContain('context: "yes"');
    expect(text).toContain('    "yes":');
    expect(text).toContain('            - "on"\n            - "1.0"\n            - 10.5.0.2\n');
    expect(parseClientConfig(text, SRC)).toEqual(
      configOf("yes", { yes: { endpoints: ["on", "1.0", "10.5.0.2"] } }),
    );
  });

  it("round-trips every field", () => {
    const config = configOf("x", {
      x: {
        endpoints: ["a", "b:50000"],
        nodes: ["n1"],
        ca: "Q0E=",
        crt: "Q1JU",
        key: "S0VZ",
        auth: { basic: { username: "u", password: "p: #x" } },
        cluster: "c",
        proxyUrl: "direct",
      },
    });
    // An ordinary entry, not the prototype: the map has no prototype to set.
    const proto = "__proto__";
    config.contexts[proto] = { endpoints: [] };
    const back = parseClientConfig(encodeClientConfig(config), SRC);
    expect(back).toEqual(config);
    expect(Object.keys(back.contexts).sort()).toEqual(["__proto__", "x"]);
  });
});

describe("parseClientConfig", () => {
  it("reads an empty or whitespace-only file as an empty config", () => {
    for (const text of ["", "  \n\n\t\n", "# only a comment\n", "~\n"]) {
      expect(parseClientConfig(text, SRC)).toEqual({ context: "", contexts: {} });
    }
  });

  it("folds the legacy target into the endpoints", () => {
    const config = parseClientConfig(
      "context: a\ncontexts:\n  a:\n    target: 10.0.0.9\n    endpoints: [10.0.0.1]\n",
      SRC,
    );
    expect(config.contexts.a!.endpoints).toEqual(["10.0.0.1", "10.0.0.9"]);
    expect(encodeClientConfig(config)).not.toContain("target");
  });

  it("reads scalars of any type as their text and ignores unknown keys", () => {
    const config = parseClientConfig(
      "context: 1.10\nextra: true\ncontexts:\n  1.10:\n    cluster: 007\n    nodes: [1.0, true, ~]\n    unknown: {a: 1}\n",
      SRC,
    );
    expect(config.context).toBe("1.10");
    expect(config.contexts["1.10"]).toEqual({ endpoints: [], cluster: "007", nodes: ["1.0", "true", ""] });
  });

  it("reads null contexts, fields and auth sections as empty", () => {
    const config = parseClientConfig("context:\ncontexts:\n  a:\n  b:\n    endpoints:\n    auth:\n", SRC);
    expect(config).toEqual({ context: "", contexts: { a: { endpoints: [] }, b: { endpoints: [] } } });
  });

  it("reads the auth sections", () => {
    const config = parseClientConfig(
      "contexts:\n  a:\n    auth:\n      basic: {username: u, password: p}\n      siderov1: {identity: i@x}\n",
      SRC,
    );
    expect(config.contexts.a!.auth).toEqual({
      basic: { username: "u", password: "p" },
      siderov1: { identity: "i@x" },
    });
  });

  it("rejects binary data", () => {
    expect(parseError(new Uint8Array([0x63, 0x6f, 0x00, 0xff, 0xfe]))).toBe(
      `failed to parse talosconfig ${SRC}: not a YAML text file (it is not valid UTF-8)`,
    );
    expect(parseError(new Uint8Array([0x63, 0x00, 0x6f]))).toBe(
      `failed to parse talosconfig ${SRC}: not a YAML text file (it contains binary data)`,
    );
  });

  it("rejects a top level that is not a map", () => {
    expect(parseError("- a\n- b\n")).toBe(
      `failed to parse talosconfig ${SRC}: line 1:1: expected a map with "context" and "contexts" at the top level, got a list`,
    );
    expect(parseError("just some words\n")).toMatch(/line 1:1: expected a map .*, got a string$/);
  });

  it("names the line and column of wrong types", () => {
    expect(parseError("context: a\ncontexts: 5\n")).toBe(
      `failed to parse talosconfig ${SRC}: line 2:11: "contexts" must be a map of context names, got a number (5)`,
    );
    expect(parseError("context: [a]\n")).toBe(
      `failed to parse talosconfig ${SRC}: line 1:10: "context" must be a string, got a list`,
    );
    expect(parseError("contexts:\n  a:\n    endpoints: 10.0.0.1\n")).toBe(
      `failed to parse talosconfig ${SRC}: line 3:16: context "a": "endpoints" must be a list of strings, got a string`,
    );
    expect(parseError("contexts:\n  a:\n    nodes:\n      - x\n      - {a: b}\n")).toBe(
      `failed to parse talosconfig ${SRC}: line 5:9: context "a": "nodes" item 2 must be a string, got a map`,
    );
    expect(parseError("contexts:\n  a: 7\n")).toBe(
      `failed to parse talosconfig ${SRC}: line 2:6: context "a" must be a map, got a number (7)`,
    );
    expect(parseError("contexts:\n  a:\n    ca: {x: 1}\n")).toBe(
      `failed to parse talosconfig ${SRC}: line 3:9: context "a": "ca" must be a string, got a map`,
    );
    expect(parseError("contexts:\n  a:\n    auth:\n      basic: 5\n")).toBe(
      `failed to parse talosconfig ${SRC}: line 4:14: context "a": "auth.basic" must be a map, got a number (5)`,
    );
    expect(parseError("contexts:\n  a:\n    auth:\n      siderov1: {identity: [x]}\n")).toMatch(
      /: line 4:28: context "a": "auth.siderov1.identity" must be a string, got a list$/,
    );
    expect(parseError("contexts:\n  [a]: {}\n")).toMatch(
      /line 2:3: map keys must be plain strings, got a list$/,
    );
  });

  it("reports YAML syntax errors on one line with a position", () => {
    const message = parseError("context: a\ncontexts:\n  a: [1, 2\n");
    expect(message).toMatch(/^failed to parse talosconfig \/home\/u\/\.talos\/config: line \d+:\d+: \S/);
    expect(message).not.toContain("\n");
    expect(parseError("a: 1\na: 2\n")).toBe(
      `failed to parse talosconfig ${SRC}: line 2:1: map keys must be unique`,
    );
    expect(parseError("context: a\n---\ncontext: b\n")).toBe(
      `failed to parse talosconfig ${SRC}: line 2:1: the file holds more than one YAML document`,
    );
  });
});
