// Everything an ApplyConfiguration does with the bytes before the machine takes them: the strict
// load under the node's version contract, Talos's validation for the machine, and the dry-run
// diff. One pure function, so it can run on the event loop for small configs and on the config
// worker thread for large ones with the same results.
import { unifiedDiff } from "../../config/diff/index.js";
import type { ConfigDocument, MachineConfigDocuments } from "../../config/document.js";
import { encodeMachineConfig } from "../../config/encode/index.js";
import { ConfigErrors, loadMachineConfig } from "../../config/load/index.js";
import { type ValidationMode, validateMachineConfig } from "../../config/validate/index.js";
import { errorMessage } from "../../errors.js";
import { loadCertificateAuthority, parseCertificatePem } from "../../pki/index.js";
import { type Disk, describeSelector, matchDisks } from "../platform/disks.js";

/** A dry-run diff over this many lines (old + new) is not shown (siderolabs/talos: pkg/machinery/textdiff). */
export const MAX_DIFF_LINES = 75_000;

/** A document without its source positions: what crosses between threads. */
export interface PlainConfigDocument {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name?: string;
  readonly data: Record<string, unknown>;
}

export interface ConfigCheckRequest {
  readonly data: Uint8Array;
  /** The Talos version the node reports: its contract decides the kinds and fields it knows. */
  readonly talosVersion: string;
  /** The machine's validation mode and disks (an install disk selector must match one). */
  readonly mode: ValidationMode;
  readonly disks: readonly Disk[];
  /**
   * How each promotable system volume (ETCD, CRI, KUBELET, LOG) is laid out on the machine now,
   * once its volumes are mounted with a config; absent before (nothing to conflict with).
   */
  readonly volumeBacking?: Readonly<Record<string, "directory" | "partition">>;
  /** Whether the machine has IOMMU groups (/sys/class/iommu). */
  readonly iommu?: boolean;
  /** For a dry run: the config to diff against (undefined in maintenance, where there is none). */
  readonly diff?: {
    readonly from?: { readonly text: string; readonly documents: readonly PlainConfigDocument[] };
  };
}

export type ConfigCheckResult =
  | { readonly ok: false; readonly message: string }
  | {
      readonly ok: true;
      readonly documents: MachineConfigDocuments;
      readonly errors: readonly string[];
      readonly warnings: readonly string[];
      /** The dry-run diff text, when asked for and the config is valid. */
      readonly diff?: string;
    };

/** Loads, validates and (when asked) diffs a config; a load failure is a result, not a throw. */
export function checkConfig(req: ConfigCheckRequest): ConfigCheckResult {
  let documents: MachineConfigDocuments;
  try {
    documents = loadMachineConfig(req.data, { contract: req.talosVersion });
  } catch (err) {
    if (err instanceof ConfigErrors) return { ok: false, message: err.message };
    throw err;
  }
  const result = validateMachineConfig(documents, {
    mode: req.mode,
    talosVersion: req.talosVersion,
    runtime: {
      matchInstallDisks: (selector) => ({
        matched: matchDisks(selector, req.disks).length,
        expression: describeSelector(selector),
      }),
      volumeBacking: (name) => req.volumeBacking?.[name],
      iommu: req.iommu ?? false,
    },
  });
  const errors = result.errors.map((e) => e.message);
  const caProblem = osCaProblem(documents);
  if (caProblem !== undefined) errors.push(caProblem);
  const warnings = result.warnings.map((w) => w.message);
  if (req.diff === undefined || errors.length > 0) return { ok: true, documents, errors, warnings };
  const text = typeof req.data === "string" ? req.data : Buffer.from(req.data).toString("utf8");
  const diff = configDiff(req.diff.from, { text, documents: documents.documents }, req.talosVersion);
  return { ok: true, documents, errors, warnings, diff };
}

/** The loaded documents as plain data (positions dropped) for the other thread. */
export function plainDocuments(documents: readonly ConfigDocument[]): PlainConfigDocument[] {
  return documents.map((d) => ({
    apiVersion: d.apiVersion,
    kind: d.kind,
    ...(d.name !== undefined ? { name: d.name } : {}),
    data: d.data,
  }));
}

function encoded(
  config: { readonly text: string; readonly documents: readonly PlainConfigDocument[] } | undefined,
  contract: string,
): string {
  if (config === undefined) return "";
  try {
    return encodeMachineConfig(config.documents, { contract });
  } catch {
    return config.text;
  }
}

/**
 * The dry-run diff (siderolabs/talos: pkg/machinery/configdiff, textdiff): both configs
 * re-encoded without comments; over MAX_DIFF_LINES lines only a header that says so.
 */
export function configDiff(
  from: { readonly text: string; readonly documents: readonly PlainConfigDocument[] } | undefined,
  to: { readonly text: string; readonly documents: readonly PlainConfigDocument[] },
  contract: string,
): string {
  const a = encoded(from, contract);
  const b = encoded(to, contract);
  if (a === b) return "No changes.";
  const oldLines = countLines(a);
  const newLines = countLines(b);
  if (oldLines + newLines > MAX_DIFF_LINES)
    return `@@ -1,${oldLines} +1,${newLines} @@ diff too large to display\n`;
  const diff = unifiedDiff(a, b, { fromLabel: "a", toLabel: "b" });
  return diff === "" ? "No changes." : diff;
}

/** Line breaks in a text (Go's strings.Count(s, "\n")). */
function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  return n;
}

function legacyString(documents: MachineConfigDocuments, path: readonly string[]): string {
  let cur: unknown = documents.documents.find((d) => d.kind === "v1alpha1")?.data;
  for (const p of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return "";
    cur = (cur as Record<string, unknown>)[p];
  }
  return typeof cur === "string" ? cur : "";
}

/** The API certificate is issued from the OS CA: it must load, and the key must be the certificate's. */
function osCaProblem(documents: MachineConfigDocuments): string | undefined {
  const pem = (v: string) => (v === "" ? "" : Buffer.from(v, "base64").toString("utf8"));
  const crt = pem(legacyString(documents, ["machine", "ca", "crt"]));
  const key = pem(legacyString(documents, ["machine", "ca", "key"]));
  if (crt === "") return undefined;
  try {
    if (key === "") parseCertificatePem(crt);
    else loadCertificateAuthority({ crt, key });
  } catch (err) {
    return `invalid issuing CA (.machine.ca): ${errorMessage(err)}`;
  }
  return undefined;
}
