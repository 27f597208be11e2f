// Checks the generated model against Talos's JSON schemas (reference/talos/schemas, reduced to
// their structure; the CLI itself only carries the generated model).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { ConfigErrors, loadMachineConfig } from "../load/index.js";
import {
  documentKinds,
  documentSchema,
  fieldInfo,
  isNamedKind,
  MERGE_RULES,
  POINTER_FIELDS,
  parseContract,
  schemaVersionFor,
} from "./index.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const SCHEMAS = path.join(ROOT, "reference/talos/schemas");
const KIND_RENAMES: Record<string, string> = {
  UnattendedInstall: "UnattendedInstallConfig",
  KubeSpanEndpoints: "KubeSpanEndpointsConfig",
};

// biome-ignore lint/suspicious/noExplicitAny: JSON schema documents are untyped
type Json = Record<string, any>;

function readSchema(version: string): Json {
  return JSON.parse(fs.readFileSync(path.join(SCHEMAS, `config-v${version}.schema.json`), "utf8"));
}

/** A string that satisfies a schema pattern (the patterns used are of a few known shapes). */
function sampleFor(pattern: string | undefined): string {
  if (pattern === undefined) return "x";
  if (pattern.includes("[nuµm]?s|m|h")) return "1m30s";
  if (pattern === "^[0-9a-f.:]+/\\d{1,3}$") return "10.0.0.0/8";
  if (pattern === "^[0-9a-f.:]+$") return "10.0.0.1";
  if (pattern.startsWith("^([0-9a-f.:]+|\\[")) return "10.0.0.1:51820";
  if (pattern === "^[0-9a-f:]+$" || pattern.includes("[0-9a-fA-F]{2}")) return "00:11:22:33:44:55";
  const scheme = /^\^\(?([a-z]+)/.exec(pattern);
  if (scheme !== null) return `${scheme[1]}://example.com:1234`;
  throw new Error(`no sample for pattern ${pattern}`);
}

/** A value valid under `node`: only required fields (`full` = every field, two levels of maps/lists). */
function instance(node: Json, defs: Json, full: boolean, depth = 0): unknown {
  if (node.$ref) return instance(defs[node.$ref.replace("#/$defs/", "")], defs, full, depth);
  if (node.enum) return node.enum[0];
  if (node.oneOf) return instance(node.oneOf[full ? node.oneOf.length - 1 : 0], defs, full, depth);
  switch (node.type) {
    case "string":
      return sampleFor(node.pattern);
    case "integer":
      return node.minimum ?? 1;
    case "number":
      return 1.5;
    case "boolean":
      return true;
    case "array":
      return full || node.minItems ? [instance(node.items, defs, full, depth + 1)] : [];
    case "object": {
      if (node.properties) {
        const out: Json = {};
        for (const [key, child] of Object.entries<Json>(node.properties)) {
          if (full ? depth < 6 : (node.required ?? []).includes(key))
            out[key] = instance(child, defs, full, depth + 1);
        }
        for (const key of node.required ?? [])
          out[key] ??= instance(node.properties[key], defs, full, depth + 1);
        return out;
      }
      const values = node.patternProperties
        ? Object.values<Json>(node.patternProperties)[0]
        : node.additionalProperties;
      if (values && typeof values === "object")
        return full ? { key1: instance(values, defs, full, depth + 1) } : {};
      return full ? { free: { form: [1, "a"] } } : {};
    }
    default:
      throw new Error(`unsupported schema node ${JSON.stringify(node).slice(0, 80)}`);
  }
}

/** The schema errata (reference/README.md): what Talos decodes where the schema says otherwise. */
function fixErrata(doc: Json): Json {
  for (const part of ["machine", "cluster"]) {
    const accepted = doc[part]?.acceptedCAs;
    if (accepted && !Array.isArray(accepted)) doc[part].acceptedCAs = [accepted];
  }
  for (const dest of doc.machine?.logging?.destinations ?? []) {
    if (typeof dest.endpoint === "object") dest.endpoint = "tcp://10.0.0.1:514";
  }
  if (typeof doc.kind === "string") doc.kind = KIND_RENAMES[doc.kind] ?? doc.kind;
  // The Go types: mount options and network conditions are lists, a rule's action is a name.
  for (const m of doc.kind === "ContainerConfig" ? (doc.mounts ?? []) : []) {
    if (typeof m.userVolume?.options === "string") m.userVolume.options = [m.userVolume.options];
  }
  if (doc.kind === "ContainerConfig" && typeof doc.dependsOn?.networks === "string") {
    doc.dependsOn.networks = [doc.dependsOn.networks];
  }
  if (doc.kind === "RoutingRuleConfig" && typeof doc.action === "number") doc.action = "blackhole";
  return doc;
}

function yamlOf(doc: Json): string {
  return JSON.stringify(doc);
}

describe("schema model", () => {
  it("maps contracts to schema generations", () => {
    expect(schemaVersionFor()).toBe("1.15");
    expect(schemaVersionFor("v1.15")).toBe("1.15");
    expect(schemaVersionFor("1.14.2")).toBe("1.15");
    expect(schemaVersionFor("v2.0")).toBe("1.15");
    expect(schemaVersionFor({ major: 1, minor: 13 })).toBe("1.13");
    expect(schemaVersionFor("v1.12")).toBe("1.12");
    expect(schemaVersionFor("v1.3")).toBe("1.12");
    expect(parseContract("v1.13.4")).toEqual({ major: 1, minor: 13 });
    expect(() => parseContract("latest")).toThrow('invalid talos-version: error parsing version "latest"');
  });

  it("applies the schema errata: kind names, persist, acceptedCAs lists, ImageVerificationConfig", () => {
    expect(documentKinds()).toEqual(
      expect.arrayContaining(["UnattendedInstallConfig", "KubeSpanEndpointsConfig"]),
    );
    expect(documentKinds()).not.toContain("UnattendedInstall");
    const legacy = documentSchema("v1alpha1")!;
    expect(legacy.at(["persist"])).toMatchObject({ type: "bool", deprecated: true });
    expect(legacy.at(["machine", "acceptedCAs"])).toMatchObject({ type: "array", items: { type: "object" } });
    expect(legacy.at(["machine", "logging", "destinations", 0, "endpoint"])).toMatchObject({
      type: "string",
    });
    // Fields moved out of v1alpha1 in 1.14 stay decodable, marked deprecated.
    expect(legacy.at(["machine", "install", "disk"])).toMatchObject({ type: "string" });
    expect(legacy.at(["machine", "install"])?.deprecated).toBe(true);
    expect(documentSchema("v1alpha1", "1.12")!.at(["machine", "install"])?.deprecated).toBeUndefined();
    expect(legacy.at(["machine", "network", "interfaces", 0, "vlans", 0, "vlanId"])).toMatchObject({
      type: "int",
    });
    const iv = documentSchema("ImageVerificationConfig")!;
    expect(iv).toMatchObject({ loose: true, named: false });
    expect(iv.at(["rules", 0, "imagePattern"])).toMatchObject({ type: "string" });
    expect(documentSchema("ImageVerificationConfig", "1.13")).toBeUndefined();
    expect(isNamedKind("UserVolumeConfig")).toBe(true);
    expect(isNamedKind("KubeletConfig")).toBe(false);
  });

  it("answers field questions for the strategic merge", () => {
    expect(fieldInfo("v1alpha1", ["cluster", "network", "podSubnets"])).toMatchObject({
      type: "array",
      mergeReplace: true,
    });
    expect(fieldInfo("v1alpha1", ["machine", "network", "interfaces", 2, "vlans"])?.keyedBy).toEqual({
      keys: ["vlanId"],
      onMatch: "merge",
    });
    expect(fieldInfo("v1alpha1", ["machine", "certSANs"])).toMatchObject({
      type: "array",
      mergeReplace: false,
    });
    expect(fieldInfo("v1alpha1", ["machine", "certSANs"])?.keyedBy).toBeUndefined();
    expect(fieldInfo("KubeAPIServerConfig", ["extraArgs"])).toMatchObject({ type: "map", args: true });
    expect(fieldInfo("v1alpha1", ["cluster", "etcd", "extraArgs"])).toMatchObject({ args: true });
    expect(fieldInfo("KubeletConfig", ["extraArgs"])).toMatchObject({ args: true });
    expect(fieldInfo("KubeFlannelCNIConfig", ["extraArgs"])?.args).toBeUndefined();
    expect(fieldInfo("UserVolumeConfig", ["provisioning", "diskSelector", "match"])?.atomic).toBe("always");
    expect(fieldInfo("UserVolumeConfig", ["provisioning", "minSize"])?.atomic).toBe("always");
    expect(fieldInfo("LinkConfig", ["addresses", 0, "address"])?.atomic).toBe("when-set");
    expect(fieldInfo("ImageVerificationConfig", ["rules"])?.keyedBy?.onMatch).toBe("replace");
    expect(fieldInfo("KubeAdmissionControlConfig", ["configuration"])).toMatchObject({
      type: "unstructured",
      mergeReplace: false,
    });
    // Pointers: bools and structs are pointers, scalars values, except the listed ones.
    expect(fieldInfo("v1alpha1", ["debug"])?.pointer).toBe(true);
    expect(fieldInfo("v1alpha1", ["machine", "type"])?.pointer).toBe(false);
    expect(fieldInfo("v1alpha1", ["cluster", "apiServer", "extraVolumes", 0, "readonly"])?.pointer).toBe(
      false,
    );
    expect(fieldInfo("v1alpha1", ["machine", "network", "kubespan", "mtu"])?.pointer).toBe(true);
    expect(fieldInfo("v1alpha1", ["machine", "registries"])?.pointer).toBe(false);
    expect(fieldInfo("v1alpha1", ["machine", "nope"])).toBeUndefined();
    expect(fieldInfo("NoSuchConfig", [])).toBeUndefined();
  });

  it("has a real field behind every rule of the merge and pointer tables", () => {
    for (const rule of [...MERGE_RULES, ...POINTER_FIELDS]) {
      if (rule.kind === "*" || ("anyDepth" in rule && rule.anyDepth)) continue;
      const steps = rule.path.split(".").flatMap((s) => (s.endsWith("[]") ? [s.slice(0, -2), 0] : [s]));
      expect(documentSchema(rule.kind)?.at(steps), `${rule.kind} ${rule.path}`).toBeDefined();
    }
  });
});

describe("schema model against the JSON schemas", () => {
  const generations = [
    { version: "1.12", contract: "1.12" },
    { version: "1.13", contract: "1.13" },
    { version: "1.15", contract: "1.15" },
  ];

  it("is what the build script makes of the schemas (not stale)", () => {
    const out = execFileSync(
      process.execPath,
      [path.join(ROOT, "scripts/build-config-model.mjs"), "--check"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect(out).toContain("is up to date");
  });

  for (const { version, contract } of generations) {
    it(`knows every kind of the v${version} schema, and the 1.14 schema's kinds under 1.15`, () => {
      const schema = readSchema(version);
      const kinds = schema.oneOf.map((r: Json) => {
        const def = schema.$defs[r.$ref.replace("#/$defs/", "")];
        const kind = def.properties.kind?.enum?.[0] ?? "v1alpha1";
        return KIND_RENAMES[kind] ?? kind;
      });
      expect(documentKinds(contract)).toEqual(expect.arrayContaining(kinds));
      if (version === "1.15") {
        const v14 = readSchema("1.14");
        for (const r of v14.oneOf) {
          const kind = v14.$defs[r.$ref.replace("#/$defs/", "")].properties.kind?.enum?.[0];
          if (kind) expect(documentSchema(KIND_RENAMES[kind] ?? kind, "1.14")).toBeDefined();
        }
      }
    });

    for (const full of [false, true]) {
      it(`accepts a valid ${full ? "fully populated" : "minimal"} document of every v${version} kind`, () => {
        const schema = readSchema(version);
        const ajv = new Ajv2020({ strict: false, allErrors: true });
        ajv.addSchema(schema);
        for (const r of schema.oneOf) {
          const def = r.$ref.replace("#/$defs/", "");
          const doc = instance(schema.$defs[def], schema.$defs, full) as Json;
          if (def === "v1alpha1.Config") {
            doc.machine ??= { type: "worker" };
            doc.cluster ??= {};
          } else if (schema.$defs[def].properties.name) {
            doc.name ??= "x";
          }
          if (full) expect(Object.keys(doc).sort()).toEqual(Object.keys(schema.$defs[def].properties).sort());
          const validate = ajv.getSchema(`${schema.$id}${r.$ref}`)!;
          expect(validate(doc), `${def}: ${JSON.stringify(validate.errors)}`).toBe(true);
          const text = yamlOf(fixErrata(structuredClone(doc)));
          try {
            const cfg = loadMachineConfig(text, { contract, file: def });
            expect(cfg.documents).toHaveLength(1);
          } catch (err) {
            throw new Error(`${def} ${text}\n${err instanceof ConfigErrors ? err.message : String(err)}`);
          }
        }
      });
    }

    it(`rejects an unknown key at the root of every v${version} kind`, () => {
      const schema = readSchema(version);
      for (const r of schema.oneOf) {
        const def = r.$ref.replace("#/$defs/", "");
        const doc = fixErrata(instance(schema.$defs[def], schema.$defs, false) as Json);
        if (def === "v1alpha1.Config") doc.machine = {};
        else if (schema.$defs[def].properties.name) doc.name = "x";
        doc.surprise = 1;
        expect(() => loadMachineConfig(yamlOf(doc), { contract }), def).toThrow('unknown key "surprise"');
      }
    });
  }
});
