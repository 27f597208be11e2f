import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { generateString, seeded } from "../../yaml/testkit.js";
import { loadMachineConfig } from "../load/index.js";
import { encodeDocument, encodeMachineConfig } from "./index.js";

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

describe("encode → load", () => {
  it("keeps every string a config can hold, wherever it sits", () => {
    const rand = seeded(2718);
    for (let round = 0; round < 300; round++) {
      const text = generateString(rand);
      const data = {
        machine: {
          type: "worker",
          certSANs: [text, "x"],
          nodeLabels: { [text || "empty"]: text },
          files: [{ content: text, permissions: 420, path: "/var/f", op: "create" }],
        },
        cluster: { inlineManifests: [{ name: "m", contents: text }] },
      };
      const written = encodeMachineConfig([{ kind: "v1alpha1", data }]);
      const loaded = loadMachineConfig(written, { file: "written.yaml" });
      expect(loaded.documents[0]?.data, `${JSON.stringify(text)} as written:\n${written}`).toEqual(data);
    }
  });
});
