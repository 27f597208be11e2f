import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { encodeDocument, encodeMachineConfig } from "./index.js";
import { formatNumber, formatString } from "./scalar.js";

const plain = (kind: string, data: Record<string, unknown>) =>
  encodeDocument({ kind, data }, { order: "as-written" });

describe("go-yaml block layout", () => {
  it("indents mappings by four and sequences under their key by four", () => {
    const out = plain("v1alpha1", {
      machine: { type: "worker", certSANs: [], features: { diskQuotaSupport: true } },
      cluster: { network: { podSubnets: ["10.244.0.0/16"] } },
    });
    expect(out).toBe(
      [
        "machine:",
        "    type: worker",
        "    certSANs: []",
        "    features:",
        "        diskQuotaSupport: true",
        "cluster:",
        "    network:",
        "        podSubnets:",
        "            - 10.244.0.0/16",
        "",
      ].join("\n"),
    );
  });

  it("puts a sequence item's mapping after the dash and nests its blocks at the next multiple of four", () => {
    const out = plain("KubeEtcdEncryptionConfig", {
      config: {
        resources: [
          {
            providers: [{ secretbox: { keys: [{ name: "key2", secret: "abc=" }] } }],
            resources: ["secrets"],
          },
        ],
      },
    });
    expect(out).toBe(
      [
        "config:",
        "    resources:",
        "        - providers:",
        "            - secretbox:",
        "                keys:",
        "                    - name: key2",
        "                      secret: abc=",
        "          resources:",
        "            - secrets",
        "",
      ].join("\n"),
    );
  });

  it("writes admission plugin configuration under a list item like Talos does", () => {
    const out = plain("v1alpha1", {
      apiServer: {
        admissionControl: [
          { name: "PodSecurity", configuration: { apiVersion: "x", exemptions: { usernames: [] } } },
        ],
      },
    });
    expect(out).toBe(
      [
        "apiServer:",
        "    admissionControl:",
        "        - name: PodSecurity",
        "          configuration:",
        "            apiVersion: x",
        "            exemptions:",
        "                usernames: []",
        "",
      ].join("\n"),
    );
  });

  it("writes PEM text as literal blocks, in mappings and in sequences", () => {
    const pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    expect(plain("KubeAPIServerCAConfig", { issuingCA: { cert: pem } })).toBe(
      "issuingCA:\n    cert: |\n        -----BEGIN CERTIFICATE-----\n        AAAA\n        -----END CERTIFICATE-----\n",
    );
    expect(plain("KubeAPIServerCAConfig", { acceptedCAs: [pem] })).toBe(
      "acceptedCAs:\n    - |\n      -----BEGIN CERTIFICATE-----\n      AAAA\n      -----END CERTIFICATE-----\n",
    );
  });

  it("writes nested sequences with the inner dashes aligned", () => {
    const out = plain("x", { a: [["b", "c"], []] });
    expect(out).toBe("a:\n    - - b\n      - c\n    - []\n");
    expect(parse(out)).toEqual({ a: [["b", "c"], []] });
  });

  it("writes null values and empty strings as go-yaml does", () => {
    expect(plain("v1alpha1", { cluster: null, key: "" })).toBe('cluster: null\nkey: ""\n');
  });
});

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
      const out = plain("x", { [s || "k"]: s, list: [s] });
      expect(parse(out)).toEqual({ [s || "k"]: s, list: [s] });
    }
  });
});

describe("container", () => {
  it("writes the legacy document first and separates documents with ---", () => {
    const out = encodeMachineConfig(
      [
        { kind: "HostnameConfig", data: { apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "stable" } },
        { kind: "v1alpha1", data: { version: "v1alpha1", debug: false } },
      ],
      { order: "as-written" },
    );
    expect(out).toBe(
      "version: v1alpha1\ndebug: false\n---\napiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n",
    );
  });

  it("orders struct fields as Talos declares them and sorts map keys", () => {
    const out = encodeMachineConfig([
      {
        kind: "KubeNodeConfig",
        data: {
          taints: { b: "NoSchedule" },
          labels: { "node.kubernetes.io/b": "", "node-role.kubernetes.io/a": "" },
          nodeIP: {},
          kind: "KubeNodeConfig",
          apiVersion: "v1alpha1",
        },
      },
    ]);
    expect(out).toBe(
      [
        "apiVersion: v1alpha1",
        "kind: KubeNodeConfig",
        "nodeIP: {}",
        "labels:",
        '    node-role.kubernetes.io/a: ""',
        '    node.kubernetes.io/b: ""',
        "taints:",
        "    b: NoSchedule",
        "",
      ].join("\n"),
    );
  });
});

describe("comments", () => {
  const legacy = {
    version: "v1alpha1",
    debug: false,
    persist: true,
    machine: { type: "worker", token: "abc.def", certSANs: [], features: { diskQuotaSupport: true } },
  };

  it("documents scalars on their line and blocks above their key, without changing the data", () => {
    const out = encodeDocument(
      { kind: "v1alpha1", data: legacy },
      { comments: { docs: true, examples: false } },
    );
    expect(out).toMatch(/^ {4}type: worker # .+$/m);
    expect(out).toMatch(/^# .+\nmachine:$/m);
    expect(out).toMatch(/^ {4}# .+\n {4}certSANs: \[\]$/m);
    expect(out).not.toMatch(/^ *# # /m);
    expect(parse(out)).toEqual(legacy);
  });

  it("shows samples below empty fields and after the fields an object leaves out", () => {
    const out = encodeDocument(
      { kind: "v1alpha1", data: legacy },
      { comments: { docs: false, examples: true } },
    );
    expect(out).toContain("    certSANs: []\n    #   - 10.0.0.10\n");
    expect(out).toMatch(
      /\n\n {4}# # ship logs as JSON lines over UDP\n {4}# logging:\n {4}# {5}destinations:\n/,
    );
    expect(out).not.toMatch(/ # [A-Z]/);
    expect(parse(out)).toEqual(legacy);
  });

  it("heads multi-document kinds with what they are for", () => {
    const data = { apiVersion: "v1alpha1", kind: "KubeletConfig", image: "img", config: {} };
    const out = encodeDocument({ kind: "KubeletConfig", data }, { comments: true });
    expect(out.split("\n")[0]).toMatch(/^# KubeletConfig: /);
    expect(out).toContain("config: {}\n#   maxPods: 250\n");
    const docs = parseAllDocuments(out);
    expect(docs).toHaveLength(1);
    expect(docs[0]!.toJS()).toEqual(data);
  });
});
