import { describe, expect, it } from "vitest";
import type { ConfigPath } from "../document.js";
import {
  CURRENT_CONTRACT,
  contractVersionString,
  generateConfigs,
  parseTalosVersion,
} from "../generate/index.js";
import { fastKeygen, legacyShapedBundle } from "../generate/testkit.js";
import { documentSchema, type SchemaNode } from "../schema/index.js";
import { DOCUMENT_DOCS } from "./documents.js";
import { childFieldDocs, documentSummary, fieldDoc } from "./index.js";
import { LEGACY_DOCS } from "./legacy.js";

/** Struct fields of `value` (per the config model) that have no documentation. */
function undocumented(
  kind: string,
  contract: string,
  path: ConfigPath,
  value: unknown,
  node: SchemaNode | undefined,
): string[] {
  if (!node || value === null || typeof value !== "object") return [];
  const out: string[] = [];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push(...undocumented(kind, contract, [...path, i], item, node.items));
    });
    return out;
  }
  const record = value as Record<string, unknown>;
  if (node.type === "map") {
    for (const [key, v] of Object.entries(record))
      out.push(...undocumented(kind, contract, [...path, key], v, node.values));
    return out;
  }
  if (node.type !== "object") return out;
  for (const [key, v] of Object.entries(record)) {
    if (path.length === 0 && (key === "apiVersion" || key === "kind")) continue;
    const childPath = [...path, key];
    if (!fieldDoc(kind, childPath)) out.push(`${kind}: ${childPath.join(".")}`);
    out.push(...undocumented(kind, contract, childPath, v, node.fields?.[key]));
  }
  return out;
}

describe("field documentation", () => {
  it("covers every field gen config writes, for every contract and option", async () => {
    const modern = await legacyShapedBundle();
    const old = await legacyShapedBundle(parseTalosVersion("v1.2"));
    const missing = new Set<string>();
    const contracts = [
      ...Array.from({ length: 16 }, (_, i) => parseTalosVersion(`v1.${i}`)),
      CURRENT_CONTRACT,
    ];
    for (const contract of contracts) {
      for (const extra of [
        {},
        {
          kubeSpan: true,
          additionalSANs: ["a.example.org"],
          registryMirrors: [{ host: "docker.io", endpoints: ["https://m"] }],
        },
      ]) {
        const out = await generateConfigs({
          clusterName: "demo",
          endpoint: "https://10.5.0.2:6443",
          contract,
          secrets: !contract.current && contract.minor <= 2 ? old : modern,
          keygen: fastKeygen,
          ...extra,
        });
        const version = contractVersionString(contract);
        for (const which of ["controlplane", "worker"] as const) {
          for (const doc of out.documents[which].documents) {
            const schema = documentSchema(doc.kind, version);
            expect(schema, doc.kind).toBeDefined();
            for (const m of undocumented(doc.kind, version, [], doc.data, schema!.root)) missing.add(m);
            if (doc.kind !== "v1alpha1") expect(documentSummary(doc.kind), doc.kind).toBeDefined();
          }
        }
      }
    }
    expect([...missing].sort()).toEqual([]);
  });

  it("keeps every entry to one short line of its own words", () => {
    const all = [LEGACY_DOCS, ...Object.values(DOCUMENT_DOCS)].flatMap((k) => [
      ...(k.summary ? [k.summary] : []),
      ...Object.values(k.fields).map((f) => f.summary),
    ]);
    for (const text of all) {
      expect(text).not.toMatch(/\n/);
      expect(text.length, text).toBeLessThanOrEqual(120);
      expect(text).toMatch(/^[A-Z].*\.$/);
    }
  });

  it("finds documentation through list items and map keys", () => {
    expect(fieldDoc("v1alpha1", ["cluster", "apiServer", "admissionControl", 0, "name"])?.summary).toBe(
      "The admission plugin.",
    );
    expect(
      fieldDoc("v1alpha1", ["machine", "registries", "mirrors", "docker.io", "endpoints"]),
    ).toBeDefined();
    expect(fieldDoc("RegistryMirrorConfig", ["endpoints", 3, "url"])).toBeDefined();
    expect(fieldDoc("KubeNodeConfig", ["labels", "some-label"])).toBeUndefined();
    expect(fieldDoc("NoSuchKind", ["x"])).toBeUndefined();
    expect(childFieldDocs("v1alpha1", ["machine"]).map((c) => c.key)).toContain("logging");
  });
});
