import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { encodeYaml } from "./encode.js";
import { compareGoKeys, goKeyLess } from "./keys.js";
import { formatNumber, formatString } from "./scalar.js";

/** Strings a YAML reader could take for something else, or that need quotes to survive. */
const TRICKY = [
  "",
  "yes",
  "No",
  "on",
  "y",
  "null",
  "~",
  "true",
  "1.0",
  "010",
  "0o17",
  "0x1F",
  "1_000",
  "1e3",
  "+.5",
  "1:20",
  "2001-12-14",
  "2001-12-14t21:59:43.10-05:00",
  ".nan",
  "<<",
  "a: b",
  "a:b",
  "- x",
  "-",
  "#x",
  "x #y",
  "x#y",
  "[a]",
  "{b}",
  "*ref",
  "&a",
  "!tag",
  "%",
  "@",
  "`",
  ",",
  "'q'",
  '"d"',
  "a\nb",
  "a\n\nb\n",
  "a \nb\n",
  " x",
  "x ",
  "tab\there",
  "\u00e9t\u00e9",
  "\u2028",
  "---",
  "...x",
  "******",
];

describe("scalars", () => {
  it("keeps strings plain unless YAML would read them as something else", () => {
    const inline = (s: string) => {
      const f = formatString(s);
      return f.style === "inline" ? f.text : f.header;
    };
    expect(inline('disk.dev_path == "/dev/sda"')).toBe('disk.dev_path == "/dev/sda"');
    expect(inline("168h0m0s")).toBe("168h0m0s");
    expect(inline("https://discovery.talos.dev/")).toBe("https://discovery.talos.dev/");
    expect(inline("node-role.kubernetes.io/control-plane")).toBe("node-role.kubernetes.io/control-plane");
    for (const s of [
      "yes",
      "No",
      "on",
      "OFF",
      "y",
      "true",
      "null",
      "~",
      "1.0",
      "10",
      "0x1F",
      "1_000",
      "1:20",
      "2001-12-14",
      ".inf",
      "<<",
    ]) {
      expect(inline(s)).toBe(JSON.stringify(s));
    }
    expect(inline("a: b")).toBe("'a: b'");
    expect(inline("- x")).toBe("'- x'");
    expect(inline("#x")).toBe("'#x'");
    expect(inline(" lead")).toBe("' lead'");
    expect(inline("it's")).toBe("it's");
    expect(inline("tab\there")).toBe('"tab\\there"');
    expect(inline("bell\u0007")).toBe('"bell\\a"');
  });

  it("picks chomping and indentation indicators for literal blocks", () => {
    const header = (s: string) => {
      const f = formatString(s);
      return f.style === "literal" ? f.header : `inline ${f.text}`;
    };
    expect(header("a\nb\n")).toBe("|");
    expect(header("a\nb")).toBe("|-");
    expect(header("a\nb\n\n")).toBe("|+");
    expect(header("  a\nb\n")).toBe("|4");
    expect(header("a \nb\n")).toBe('inline "a \\nb\\n"');
  });

  it("formats numbers as Go does", () => {
    expect(formatNumber(7445)).toBe("7445");
    expect(formatNumber(-3)).toBe("-3");
    expect(formatNumber(0.5)).toBe("0.5");
    expect(formatNumber(1234567.5)).toBe("1.2345675e+06");
    expect(formatNumber(0.00001)).toBe("1e-05");
  });

  it("round-trips awkward strings through a YAML reader", () => {
    const samples = [
      "",
      "yes",
      "a: b",
      "#",
      "- ",
      "x #y",
      "x#y",
      "[a]",
      "{b}",
      "*ref",
      "&a",
      "!tag",
      "%",
      "@",
      "`",
      "'q'",
      '"d"',
      "a\nb",
      "a\n\nb\n",
      " x",
      "x ",
      "\u00e9t\u00e9",
      "\u2028",
      "---",
      "...x",
    ];
    for (const s of samples) {
      const out = encodeYaml({ [s || "k"]: s, list: [s] });
      expect(parse(out)).toEqual({ [s || "k"]: s, list: [s] });
    }
  });
});

describe("encodeYaml round trip", () => {
  const sample = {
    context: "prod",
    contexts: { prod: { endpoints: ["10.5.0.2", "fd00::1"], nodes: [], ca: "LS0tLS1CRUdJTg==" } },
    list: [
      { name: "a", config: { key: "v", pem: "-----BEGIN X-----\nAAAA\n-----END X-----\n" } },
      [1, 2],
      [],
    ],
    numbers: { int: 7445, float: 0.5, big: 1234567.5, negative: -3 },
    flags: { on: true, off: false, none: null },
    tricky: TRICKY,
    keyed: Object.fromEntries(TRICKY.filter((s) => s !== "").map((s) => [s, s])),
  };

  for (const dialect of ["yaml.v3", "yaml.v2"] as const) {
    it(`reads back what it wrote (${dialect})`, () => {
      const out = encodeYaml(sample, { dialect });
      expect(parse(out)).toEqual(sample);
      // go-yaml quotes what YAML 1.1 would mistype, so 1.1 readers see the same strings.
      expect(parse(out, { version: "1.1" })).toEqual(sample);
    });
  }

  it("writes top-level scalars and empty collections as go-yaml does", () => {
    expect(encodeYaml(null)).toBe("null\n");
    expect(encodeYaml(undefined)).toBe("null\n");
    expect(encodeYaml({})).toBe("{}\n");
    expect(encodeYaml([])).toBe("[]\n");
    expect(encodeYaml("yes")).toBe('"yes"\n');
    expect(encodeYaml("a\nb\n")).toBe("|\n    a\n    b\n");
    expect(encodeYaml("a\nb\n", { dialect: "yaml.v2" })).toBe("|\n  a\n  b\n");
  });
});

describe("encodeYaml layout", () => {
  const kubeconfig = {
    apiVersion: "v1",
    clusters: [{ cluster: { server: "https://10.5.0.2:6443" }, name: "demo" }],
    contexts: [
      { context: { cluster: "demo", namespace: "default", user: "admin@demo" }, name: "admin@demo" },
    ],
    "current-context": "admin@demo",
    kind: "Config",
    preferences: {},
    users: [{ name: "admin@demo", user: { "client-certificate-data": "LS0t" } }],
  };

  it("writes yaml.v2's layout at two spaces: sequences under a key start at the key's column", () => {
    expect(encodeYaml(kubeconfig, { dialect: "yaml.v2" })).toBe(
      [
        "apiVersion: v1",
        "clusters:",
        "- cluster:",
        "    server: https://10.5.0.2:6443",
        "  name: demo",
        "contexts:",
        "- context:",
        "    cluster: demo",
        "    namespace: default",
        "    user: admin@demo",
        "  name: admin@demo",
        "current-context: admin@demo",
        "kind: Config",
        "preferences: {}",
        "users:",
        "- name: admin@demo",
        "  user:",
        "    client-certificate-data: LS0t",
        "",
      ].join("\n"),
    );
  });

  it("writes yaml.v3's layout at four spaces: sequences indented, blocks in items at the next multiple of four", () => {
    expect(
      encodeYaml({
        context: "demo",
        contexts: { demo: { endpoints: ["10.5.0.2"], nodes: [], roles: [{ name: "x", rules: { a: [1] } }] } },
      }),
    ).toBe(
      [
        "context: demo",
        "contexts:",
        "    demo:",
        "        endpoints:",
        "            - 10.5.0.2",
        "        nodes: []",
        "        roles:",
        "            - name: x",
        "              rules:",
        "                a:",
        "                    - 1",
        "",
      ].join("\n"),
    );
  });

  it("nests sequences in sequences and literal blocks in items for both dialects", () => {
    const data = { a: [["b", "c"], "x\ny\n"] };
    expect(encodeYaml(data)).toBe("a:\n    - - b\n      - c\n    - |\n      x\n      y\n");
    expect(encodeYaml(data, { dialect: "yaml.v2" })).toBe("a:\n- - b\n  - c\n- |\n  x\n  y\n");
  });

  it("uses the indentation width as a literal block's indentation indicator", () => {
    expect(encodeYaml({ k: " lead\nnext\n" })).toBe("k: |4\n     lead\n    next\n");
    expect(encodeYaml({ k: " lead\nnext\n" }, { dialect: "yaml.v2" })).toBe("k: |2\n   lead\n  next\n");
  });

  it("keeps the data's key order unless asked to sort, and a Map's order too", () => {
    const data = { b: 1, a: { d: 2, c: 3 } };
    expect(encodeYaml(data)).toBe("b: 1\na:\n    d: 2\n    c: 3\n");
    expect(encodeYaml(data, { sortKeys: true })).toBe("a:\n    c: 3\n    d: 2\nb: 1\n");
    // Integer-like keys keep their place in a Map (an object would move them first).
    const ordered = new Map<string, number>([
      ["b", 1],
      ["10", 2],
      ["2", 3],
    ]);
    expect(encodeYaml(ordered)).toBe('b: 1\n"10": 2\n"2": 3\n');
    expect(encodeYaml(ordered, { sortKeys: true })).toBe('"2": 3\n"10": 2\nb: 1\n');
  });

  it("leaves undefined members out and writes objects with toJSON as their JSON value", () => {
    expect(encodeYaml({ a: undefined, b: [undefined], c: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)) })).toBe(
      'b:\n    - null\nc: "2024-01-02T03:04:05.000Z"\n',
    );
  });

  it("folds long text at 80 columns in yaml.v2 only, as libyaml does, and reads back the same", () => {
    const words = Array.from({ length: 30 }, () => "word").join(" ");
    const v2 = encodeYaml({ description: words }, { dialect: "yaml.v2" });
    expect(v2).toBe(
      `description: ${Array(14).fill("word").join(" ")}\n  ${Array(16).fill("word").join(" ")}\n`,
    );
    expect(parse(v2)).toEqual({ description: words });
    expect(encodeYaml({ description: words })).toBe(`description: ${words}\n`);

    const quoted = `\t${words}`;
    const v2quoted = encodeYaml({ k: quoted }, { dialect: "yaml.v2" });
    expect(v2quoted).toBe(
      `k: "\\t${Array(16).fill("word").join(" ")}\n  ${Array(14).fill("word").join(" ")}"\n`,
    );
    expect(parse(v2quoted)).toEqual({ k: quoted });

    // A fold right before a second space escapes that space so it survives.
    const spaced = `\t${"a".repeat(80)}  b`;
    const v2spaced = encodeYaml({ k: spaced }, { dialect: "yaml.v2" });
    expect(v2spaced).toBe(`k: "\\t${"a".repeat(80)}\n  \\ b"\n`);
    expect(parse(v2spaced)).toEqual({ k: spaced });

    // Keys stay on one line; items continue under their dash.
    const items = encodeYaml({ [words]: [words] }, { dialect: "yaml.v2" });
    expect(items.split("\n")[0]).toBe(`${words}:`);
    expect(parse(items)).toEqual({ [words]: [words] });
  });

  it("writes base64 and other word-like text plain and unfolded in both dialects, unless it reads as another type", () => {
    const b64 = Buffer.from("x".repeat(3000)).toString("base64");
    for (const dialect of ["yaml.v2", "yaml.v3"] as const) {
      expect(encodeYaml({ key: b64 }, { dialect })).toBe(`key: ${b64}\n`);
      expect(encodeYaml({ k: "AbC+/9==" }, { dialect })).toBe("k: AbC+/9==\n");
      // Word-like but a number, a boolean or null to a reader: quoted as before.
      expect(encodeYaml({ a: "0x1F", b: "1e3", c: "true", d: "null", e: "010" }, { dialect })).toBe(
        `a: "0x1F"\nb: "1e3"\nc: "true"\nd: "null"\ne: "010"\n`,
      );
    }
    // A leading "+" or "/" is not word-like; those still go through the full check.
    expect(formatString("+abc")).toEqual({ style: "inline", text: "+abc" });
    expect(formatString("=abc")).toEqual({ style: "inline", text: "=abc" });
  });

  it("refuses an indentation libyaml would not use", () => {
    expect(() => encodeYaml({}, { indent: 1 })).toThrow("YAML indentation must be 2 to 9 spaces, not 1");
  });
});

describe("go-yaml's map key order", () => {
  const sorted = (keys: string[], dialect?: "yaml.v3" | "yaml.v2") => [...keys].sort(compareGoKeys(dialect));

  it("compares runs of digits by value", () => {
    expect(sorted(["eth10", "eth2", "eth1", "eth01"])).toEqual(["eth1", "eth01", "eth2", "eth10"]);
    expect(sorted(["a-10", "a-9", "a-1"])).toEqual(["a-1", "a-9", "a-10"]);
  });

  it("puts a non-letter before a letter where the texts first differ (byte order would not)", () => {
    expect(sorted(["aB", "a_b"])).toEqual(["a_b", "aB"]);
    expect(sorted(["ab", "a-b", "a.b"])).toEqual(["a-b", "a.b", "ab"]);
    expect(sorted(["b", "B", "a"])).toEqual(["B", "a", "b"]);
    expect(sorted(["ab", "a"])).toEqual(["a", "ab"]);
  });

  it("puts a letter first right after a shared digit in yaml.v3 only", () => {
    expect(goKeyLess("1a", "1-", "yaml.v3")).toBe(true);
    expect(goKeyLess("1a", "1-", "yaml.v2")).toBe(false);
    expect(sorted(["x1-", "x1a"], "yaml.v3")).toEqual(["x1a", "x1-"]);
    expect(sorted(["x1-", "x1a"], "yaml.v2")).toEqual(["x1-", "x1a"]);
  });

  it("is a strict order: nothing sorts before itself", () => {
    for (const k of ["", "a", "a1", "a01", "1-", "é"]) expect(goKeyLess(k, k)).toBe(false);
  });
});
