// Table-driven checks of the rule engine for tests: documents as plain data, the expected
// problems as `<document> <path>: <message>` lines.
import { expect, it } from "vitest";
import { encodeYaml } from "../../yaml/index.js";
import { type ConfigError, formatPath } from "../document.js";
import { loadMachineConfig } from "../load/index.js";
import type { ValidationMode } from "./modes.js";
import { type ValidateOptions, validateMachineConfig } from "./validate.js";

// biome-ignore lint/suspicious/noExplicitAny: documents are built as plain JSON
export type Json = Record<string, any>;

export const CP: Json = {
  version: "v1alpha1",
  debug: false,
  persist: true,
  machine: { type: "controlplane", token: "t", ca: { crt: "Y3J0", key: "a2V5" }, certSANs: [] },
  cluster: { token: "b", etcd: { ca: { crt: "Y3J0", key: "a2V5" } } },
};

export const WORKER: Json = {
  version: "v1alpha1",
  debug: false,
  persist: true,
  machine: { type: "worker", token: "t", ca: { crt: "Y3J0", key: "" }, certSANs: [] },
  cluster: { token: "b" },
};

export const doc = (kind: string, body: Json = {}): Json => ({ apiVersion: "v1alpha1", kind, ...body });

/** Merges `patch` into a copy of `base`; a null in the patch removes the key. */
export function merge(base: Json, patch: Json): Json {
  const out: Json = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (
      typeof value === "object" &&
      !Array.isArray(value) &&
      typeof out[key] === "object" &&
      out[key] !== null
    ) {
      out[key] = merge(out[key], value);
    } else out[key] = value;
  }
  return out;
}

const describeProblem = (e: ConfigError) => {
  const path = formatPath(e.location.path ?? []);
  return `${e.location.document}${path === "" ? "" : ` ${path}`}: ${e.detail}`;
};

export interface Outcome {
  readonly errors: string[];
  readonly warnings: string[];
}

/** Validates documents written as YAML; every problem must name its file, document and line. */
export function run(docs: readonly (Json | string)[], options: Partial<ValidateOptions> = {}): Outcome {
  const text = docs.map((d) => (typeof d === "string" ? d : encodeYaml(d))).join("---\n");
  const cfg = loadMachineConfig(text, {
    file: "c.yaml",
    ...(options.contract !== undefined ? { contract: options.contract } : {}),
  });
  const r = validateMachineConfig(cfg, { mode: "metal", ...options });
  for (const e of [...r.errors, ...r.warnings]) {
    expect(e.location.file).toBe("c.yaml");
    expect(e.location.position, e.message).toBeDefined();
  }
  return { errors: r.errors.map(describeProblem), warnings: r.warnings.map(describeProblem) };
}

export interface Case {
  /** What the case shows. */
  readonly name: string;
  /** The documents besides the base v1alpha1 one (or every document when `base` is null). */
  readonly docs: readonly (Json | string)[];
  readonly base?: Json | null;
  readonly mode?: ValidationMode;
  readonly strict?: boolean;
  readonly talosVersion?: string;
  /** The contract whose rules apply (client-side, as `gen config --talos-version`). */
  readonly contract?: string;
  readonly errors?: readonly string[];
  readonly warnings?: readonly string[];
}

/** One test per case: exactly the expected errors and warnings, in order. */
export function table(cases: readonly Case[]): void {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const docs = c.base === null ? c.docs : [c.base ?? CP, ...c.docs];
    const out = run(docs, {
      ...(c.mode !== undefined ? { mode: c.mode } : {}),
      ...(c.strict !== undefined ? { strict: c.strict } : {}),
      ...(c.talosVersion !== undefined ? { talosVersion: c.talosVersion } : {}),
      ...(c.contract !== undefined ? { contract: c.contract } : {}),
    });
    expect(out).toEqual({ errors: c.errors ?? [], warnings: c.warnings ?? [] });
  });
}
