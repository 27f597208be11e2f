// Property: for configs A and B (B = random edits of A), applying the patch `diff -o patch`
// prints for (A, B) to A gives B, compared as data. "As data" is what Talos's typed decode
// sees: a non-pointer scalar written as "" or 0 is the same as one left out.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import {
  applyPatches,
  applyStrategicPatch,
  identityOf,
  loadConfigText,
  type PlainDocument,
  parsePatch,
  schemaShapes,
} from "../patch/index.js";
import { isPlainObject } from "../patch/values.js";
import { documentSchema } from "../schema/index.js";
import { configPatch } from "./diff.js";
import { InexpressibleChangeError, strategicPatchBetween } from "./to-patch.js";

const CONFIGS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../test/patch-corpus/configs",
);
const load = (file: string) => loadConfigText(fs.readFileSync(path.join(CONFIGS, file), "utf8"), file);

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Path = (string | number)[];
type Container = "struct" | "map" | "free";

/** Talos's typed view of plain data: nulls and non-pointer zero scalars are "not there". */
function normalize(kind: string, value: unknown, p: Path, container: Container): unknown {
  if (Array.isArray(value)) {
    return value.map((v, i) => normalize(kind, v, [...p, i], container === "free" ? "free" : "struct"));
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    const facts = container === "free" ? undefined : schemaShapes.field(kind, [...p, k]);
    const pointerScalar = facts?.pointer === true && facts.atomic === undefined;
    if (container === "struct" && (v === "" || v === 0) && !pointerScalar) continue;
    const child: Container =
      container === "free" || facts?.type === "unstructured" || facts?.type === "any"
        ? "free"
        : facts?.type === "map"
          ? "map"
          : "struct";
    out[k] = normalize(kind, v, [...p, k], child);
  }
  return out;
}

function normalized(docs: readonly PlainDocument[]): Map<string, unknown> {
  return new Map(docs.map((d) => [identityOf(d), normalize(d.kind, d.data, [], "struct")]));
}

/** Every path in a document's data, with its value. */
function walk(data: unknown, p: Path = [], out: { path: Path; value: unknown }[] = []) {
  out.push({ path: p, value: data });
  if (Array.isArray(data)) {
    data.forEach((v, i) => {
      walk(v, [...p, i], out);
    });
  } else if (isPlainObject(data)) for (const [k, v] of Object.entries(data)) walk(v, [...p, k], out);
  return out;
}

function parentOf(data: Record<string, unknown>, p: Path): unknown {
  let node: unknown = data;
  for (const step of p.slice(0, -1)) node = (node as Record<string | number, unknown>)[step];
  return node;
}

const IDENTITY = new Set(["apiVersion", "kind", "name", "version"]);

const EXTRA_DOCUMENTS: PlainDocument[] = [
  {
    apiVersion: "v1alpha1",
    kind: "KubeSpanConfig",
    data: { apiVersion: "v1alpha1", kind: "KubeSpanConfig", enabled: true },
  },
  {
    apiVersion: "v1alpha1",
    kind: "UserVolumeConfig",
    name: "data",
    data: {
      apiVersion: "v1alpha1",
      kind: "UserVolumeConfig",
      name: "data",
      provisioning: { diskSelector: { match: 'disk.transport == "nvme"' }, minSize: "10GB" },
    },
  },
  {
    apiVersion: "v1alpha1",
    kind: "StaticHostConfig",
    name: "10.5.0.20",
    data: {
      apiVersion: "v1alpha1",
      kind: "StaticHostConfig",
      name: "10.5.0.20",
      hostnames: ["registry.lab"],
    },
  },
];

/** One random edit of `docs` (mutated); returns a word on what it did. */
function edit(docs: PlainDocument[], rand: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const choice = rand();
  if (choice < 0.06) {
    const removable = docs.filter((d) => d.kind !== "v1alpha1");
    if (removable.length === 0) return "none";
    const victim = pick(removable);
    docs.splice(docs.indexOf(victim), 1);
    return `remove document ${victim.kind}`;
  }
  if (choice < 0.12) {
    const extra = pick(EXTRA_DOCUMENTS);
    if (docs.some((d) => identityOf(d) === identityOf(extra))) return "none";
    docs.push(structuredClone(extra));
    return `add document ${extra.kind}`;
  }
  const doc = pick(docs);
  const nodes = walk(doc.data).filter(
    (n) => n.path.length > 0 && !(n.path.length === 1 && IDENTITY.has(String(n.path[0]))),
  );
  if (nodes.length === 0) return "none";
  if (choice < 0.5) {
    const scalars = nodes.filter((n) => typeof n.value !== "object" || n.value === null);
    if (scalars.length === 0) return "none";
    const target = pick(scalars);
    const parent = parentOf(doc.data, target.path) as Record<string | number, unknown>;
    const key = target.path[target.path.length - 1]!;
    parent[key] = changed(doc.kind, target.path, target.value, rand);
    return `change ${target.path.join(".")}`;
  }
  if (choice < 0.65) {
    const keys = nodes.filter((n) => typeof n.path[n.path.length - 1] === "string");
    const target = pick(keys);
    const parent = parentOf(doc.data, target.path) as Record<string, unknown>;
    delete parent[target.path[target.path.length - 1] as string];
    return `remove ${target.path.join(".")}`;
  }
  if (choice < 0.85) {
    const lists = nodes.filter((n) => Array.isArray(n.value));
    if (lists.length === 0) return "none";
    const list = pick(lists).value as unknown[];
    const op = rand();
    if (list.length > 0 && op < 0.4) list.splice(Math.floor(rand() * list.length), 1);
    else if (list.length > 0 && op < 0.8) list.push(structuredClone(pick(list)));
    else if (list.length > 0) list.unshift(structuredClone(pick(list)));
    return "list";
  }
  const maps = nodes.filter((n) => {
    const t = schemaShapes.field(doc.kind, n.path).type;
    return isPlainObject(n.value) && (t === "map" || t === "unstructured");
  });
  if (maps.length === 0) return "none";
  const target = pick(maps).value as Record<string, unknown>;
  const sample = Object.values(target)[0];
  target[`added-${Math.floor(rand() * 1000)}`] =
    sample === undefined || typeof sample === "string" ? "value" : structuredClone(sample);
  return "add key";
}

/** A new value of the same type that the loader still accepts. */
function changed(kind: string, p: Path, value: unknown, rand: () => number): unknown {
  if (typeof value === "boolean") return !value;
  if (typeof value === "number") return rand() < 0.2 ? 0 : value + 1;
  if (typeof value !== "string") return "value";
  // An emptied string stays empty: most patterns only accept "" or a well-formed value.
  if (value === "" || rand() < 0.15) return "";
  const allowed = documentSchema(kind)
    ?.at(p)
    ?.enum?.filter((e) => e !== value);
  if (allowed !== undefined && allowed.length > 0) return allowed[Math.floor(rand() * allowed.length)];
  const digit = /\d(?!.*\d)/s.exec(value);
  if (digit)
    return value.slice(0, digit.index) + String((Number(digit[0]) + 1) % 10) + value.slice(digit.index + 1);
  return `${value}x`;
}

describe("diff -o patch turns A into B", () => {
  for (const [file, seed] of [
    ["legacy-controlplane.yaml", 11],
    ["multidoc-controlplane.yaml", 23],
  ] as const) {
    test(`random edits of ${file}`, () => {
      const base = load(file);
      const rand = seeded(seed);
      let checked = 0;
      for (let round = 0; round < 120; round++) {
        const b = structuredClone(base);
        const edits: string[] = [];
        const count = 1 + Math.floor(rand() * 4);
        for (let i = 0; i < count; i++) edits.push(edit(b, rand));
        const text = configPatch(base, b, { showSecrets: true }).text;
        if (text === "") {
          expect(normalized(b)).toEqual(normalized(base));
          continue;
        }
        const patch = parsePatch(text, `round ${round}`);
        if (patch.type !== "strategic") throw new Error(`round ${round}: not a strategic patch:\n${text}`);
        const result = applyStrategicPatch(base, patch, schemaShapes);
        expect(normalized(result), `round ${round}: ${edits.join("; ")}\n${text}`).toEqual(normalized(b));
        checked++;
      }
      expect(checked).toBeGreaterThan(80);
    });
  }

  test("through the whole pipeline (encode, load) as machineconfig patch runs it", () => {
    const a = load("legacy-controlplane.yaml");
    const b = structuredClone(a);
    const legacy = b[0]!.data as { machine: Record<string, unknown>; cluster: Record<string, unknown> };
    legacy.machine.certSANs = ["10.5.0.3"];
    (legacy.machine.network as Record<string, unknown>).hostname = "";
    delete legacy.cluster.proxy;
    b.push(structuredClone(EXTRA_DOCUMENTS[0]!));
    const patch = parsePatch(configPatch(a, b, { showSecrets: true }).text, "p");
    const out = applyPatches({ documents: a }, [patch]);
    const reloaded = loadConfigText(out.text, "out.yaml");
    expect(normalized(reloaded)).toEqual(normalized(b));
  });
});

describe("patch shapes", () => {
  const a: PlainDocument[] = [
    {
      apiVersion: "",
      kind: "v1alpha1",
      data: {
        machine: {
          type: "worker",
          certSANs: ["a", "b"],
          network: {
            hostname: "n1",
            interfaces: [
              { interface: "eth0", dhcp: true },
              { interface: "eth1", dhcp: true },
            ],
          },
        },
        cluster: { token: "t" },
      },
    },
    {
      apiVersion: "v1alpha1",
      kind: "HostnameConfig",
      data: { apiVersion: "v1alpha1", kind: "HostnameConfig", auto: "stable" },
    },
  ];

  test("items removed from a list of structs become list-item deletes; a grown list appends", () => {
    const b = structuredClone(a);
    const net = (b[0]!.data.machine as { network: { interfaces: unknown[] } }).network;
    net.interfaces = [
      { interface: "eth1", dhcp: true },
      { interface: "eth2", dhcp: false },
    ];
    expect(strategicPatchBetween(a, b)).toEqual([
      {
        machine: {
          network: {
            interfaces: [
              { interface: "eth0", $patch: "delete" },
              { interface: "eth2", dhcp: false },
            ],
          },
        },
      },
    ]);
  });

  test("a list of scalars that lost an item is deleted and written again in a second document", () => {
    const b = structuredClone(a);
    (b[0]!.data.machine as { certSANs: string[] }).certSANs = ["b"];
    expect(strategicPatchBetween(a, b)).toEqual([
      { machine: { certSANs: { $patch: "delete" } } },
      { machine: { certSANs: ["b"] } },
    ]);
  });

  test("a zero over a non-pointer scalar is a delete; removed and added documents", () => {
    const b = structuredClone(a).slice(0, 1);
    (b[0]!.data.machine as { network: { hostname: string } }).network.hostname = "";
    b.push({
      apiVersion: "v1alpha1",
      kind: "KubeSpanConfig",
      data: { apiVersion: "v1alpha1", kind: "KubeSpanConfig", enabled: true },
    });
    expect(strategicPatchBetween(a, b)).toEqual([
      { machine: { network: { hostname: { $patch: "delete" } } } },
      { apiVersion: "v1alpha1", kind: "HostnameConfig", $patch: "delete" },
      { apiVersion: "v1alpha1", kind: "KubeSpanConfig", enabled: true },
    ]);
  });

  test("what a patch cannot do is refused with a reason", () => {
    expect(() => strategicPatchBetween(a, a.slice(1))).toThrow(InexpressibleChangeError);
    const b = structuredClone(a);
    b[0]!.data.version = "v1alpha2";
    expect(() => strategicPatchBetween(a, b)).toThrow(/version cannot be changed/);
  });

  test("secrets are redacted in the patch unless asked for", () => {
    const b = structuredClone(a);
    (b[0]!.data.cluster as { token: string }).token = "new.token";
    expect(configPatch(a, b)).toEqual({ text: "cluster:\n    token: '******'\n", redacted: true });
    expect(configPatch(a, b, { showSecrets: true })).toEqual({
      text: "cluster:\n    token: new.token\n",
      redacted: false,
    });
  });
});
