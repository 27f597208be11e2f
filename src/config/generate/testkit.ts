// Test support for config generation (imported by tests only, never by the product): a fast
// key maker, a bundle shaped like the ones real talosctl writes, and a check of generated
// documents against Talos's published JSON schema of the matching release.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import {
  generateBundle,
  generatePrivateKey,
  type KeyGenerator,
  type SecretsBundle,
  type VersionContract,
} from "../../pki/index.js";
import type { ConfigDocument } from "../document.js";

/** Makes ECDSA keys where RSA-4096 is asked for: generation stays fast. */
export const fastKeygen: KeyGenerator = (kind) => generatePrivateKey(kind === "rsa" ? "ecdsa" : kind);

/**
 * A bundle like the ones talosctl before 1.14 wrote (and every Talos fixture carries): URL-safe
 * cluster id, ECDSA service-account key.
 */
export async function legacyShapedBundle(contract?: VersionContract): Promise<SecretsBundle> {
  const bundle = await generateBundle({
    now: new Date(),
    keygen: fastKeygen,
    ...(contract ? { contract } : {}),
  });
  const urlSafeId = bundle.cluster.id.replaceAll("+", "-").replaceAll("/", "_");
  return { ...bundle, cluster: { ...bundle.cluster, id: urlSafeId } };
}

/** Talos's config schemas, reduced to their structure (reference/README.md). */
const SCHEMAS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../reference/talos/schemas",
);

/** The published schema a contract's output is checked against. */
export function schemaReleaseFor(contract: VersionContract): "1.12" | "1.13" | "1.15" {
  if (contract.current || contract.major > 1 || contract.minor >= 14) return "1.15";
  return contract.minor === 13 ? "1.13" : "1.12";
}

/**
 * The schemas' known errata (listed in reference/README.md), allowed explicitly and nowhere else:
 * - the v1alpha1 document's deprecated `persist` key, which Talos still writes, is missing;
 * - two kinds are spelled without their `Config` suffix.
 */
export const SCHEMA_KIND_SPELLING: Readonly<Record<string, string>> = {
  UnattendedInstallConfig: "UnattendedInstall",
  KubeSpanEndpointsConfig: "KubeSpanEndpoints",
};

/**
 * Contracts before 1.12 still write v1alpha1 fields that the oldest schema available (v1.12's)
 * no longer lists: four feature flags, and for contract 1.2 the registry mirror of k8s.gcr.io.
 * They are allowed for those contracts only, at exactly these paths and values.
 */
export const PRE_1_12_FIELDS: readonly { readonly path: readonly string[]; readonly value: unknown }[] = [
  { path: ["machine", "features", "rbac"], value: true },
  { path: ["machine", "features", "stableHostname"], value: true },
  { path: ["machine", "features", "apidCheckExtKeyUsage"], value: true },
  { path: ["cluster", "apiServer", "disablePodSecurityPolicy"], value: true },
  {
    path: ["machine", "registries"],
    value: { mirrors: { "k8s.gcr.io": { endpoints: ["https://registry.k8s.io", "https://k8s.gcr.io"] } } },
  },
];

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

interface LoadedSchema {
  readonly ajv: InstanceType<typeof Ajv2020>;
  readonly id: string;
  readonly defByKind: ReadonlyMap<string, string>;
}

const loaded = new Map<string, LoadedSchema>();

function loadSchema(release: string): LoadedSchema {
  const hit = loaded.get(release);
  if (hit) return hit;
  const schema = JSON.parse(fs.readFileSync(path.join(SCHEMAS, `config-v${release}.schema.json`), "utf8"));
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat("uri", (value: string) => /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && URL.canParse(value));
  ajv.addSchema(schema);
  const defByKind = new Map<string, string>();
  for (const [name, def] of Object.entries(
    schema.$defs as Record<string, { properties?: Record<string, { enum?: string[] }> }>,
  )) {
    const kind = def.properties?.kind?.enum?.[0];
    if (kind) defByKind.set(kind, name);
  }
  defByKind.set("v1alpha1", "v1alpha1.Config");
  const out = { ajv, id: schema.$id as string, defByKind };
  loaded.set(release, out);
  return out;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function removeAllowed(
  data: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
  problems: string[],
): void {
  let node: unknown = data;
  for (const step of path.slice(0, -1)) {
    if (node === null || typeof node !== "object") return;
    node = (node as Record<string, unknown>)[step];
  }
  if (node === null || typeof node !== "object") return;
  const parent = node as Record<string, unknown>;
  const last = path[path.length - 1]!;
  if (!(last in parent)) return;
  if (JSON.stringify(parent[last]) !== JSON.stringify(value)) {
    problems.push(
      `${path.join(".")}: expected ${JSON.stringify(value)}, got ${JSON.stringify(parent[last])}`,
    );
  }
  delete parent[last];
}

/**
 * Every schema problem of one document, as readable lines (empty when it validates). Only the
 * allowances above are applied.
 */
export function schemaProblems(
  doc: Pick<ConfigDocument, "kind" | "data">,
  contract: VersionContract,
): string[] {
  const release = schemaReleaseFor(contract);
  const schema = loadSchema(release);
  const data = clone(doc.data);
  const problems: string[] = [];
  if (doc.kind === "v1alpha1") {
    removeAllowed(data, ["persist"], true, problems);
    const pre112 = !contract.current && contract.major === 1 && contract.minor < 12;
    if (pre112) for (const f of PRE_1_12_FIELDS) removeAllowed(data, f.path, f.value, problems);
  }
  const spelled = SCHEMA_KIND_SPELLING[doc.kind];
  if (spelled !== undefined && data.kind === doc.kind) data.kind = spelled;
  const def = schema.defByKind.get(spelled ?? doc.kind);
  if (!def) return [`${doc.kind}: no schema definition in the v${release} schema`];
  const validate = schema.ajv.getSchema(`${schema.id}#/$defs/${def}`) as Validate | undefined;
  if (!validate) return [`${doc.kind}: cannot compile ${def}`];
  if (!validate(data)) {
    for (const e of (validate.errors ?? []) as {
      instancePath: string;
      message?: string;
      params?: unknown;
    }[]) {
      problems.push(
        `${doc.kind}${e.instancePath}: ${e.message ?? "invalid"} ${JSON.stringify(e.params ?? {})}`,
      );
    }
  }
  return problems;
}
