// Comparing two machine configs document by document: a unified diff per changed document
// (documents matched by apiVersion/kind/name), secrets hidden unless asked for, or the
// strategic merge patch that turns the first config into the second.
import { documentLabel, LEGACY_KIND } from "../document.js";
import { encodeDocument, encodeMachineConfig } from "../encode/index.js";
import { identityOf, type PlainDocument, type ShapeSource } from "../patch/index.js";
import { REDACTED, redactData } from "./redact.js";
import { strategicPatchBetween } from "./to-patch.js";
import { unifiedDiff } from "./unified.js";

export interface DiffOptions {
  /** Names of the two configs in the diff headers. */
  readonly fromName: string;
  readonly toName: string;
  /** Show secret values instead of `******`. */
  readonly showSecrets?: boolean;
}

export interface ConfigDiff {
  /** The unified diff text ("" when the configs are equal). */
  readonly text: string;
  /** Documents whose only differences are in hidden secret values. */
  readonly hiddenChanges: readonly string[];
}

function encodeOne(doc: PlainDocument): string {
  return encodeMachineConfig([{ kind: doc.kind, data: doc.data }]);
}

function shown(doc: PlainDocument, showSecrets: boolean): PlainDocument {
  if (showSecrets) return doc;
  return { ...doc, data: redactData(doc.kind, doc.data).value };
}

/** Per-document unified diff of two configs. */
export function diffConfigs(
  a: readonly PlainDocument[],
  b: readonly PlainDocument[],
  options: DiffOptions,
): ConfigDiff {
  const showSecrets = options.showSecrets === true;
  const byId = new Map(b.map((d) => [identityOf(d), d]));
  const seen = new Set<string>();
  const parts: string[] = [];
  const hiddenChanges: string[] = [];
  const header = (name: string, doc: PlainDocument) => `${name} (${documentLabel(doc)})`;

  for (const left of ordered(a)) {
    const id = identityOf(left);
    seen.add(id);
    const right = byId.get(id);
    const from = encodeOne(shown(left, showSecrets));
    if (right === undefined) {
      parts.push(unifiedDiff(from, "", { fromLabel: header(options.fromName, left), toLabel: "/dev/null" }));
      continue;
    }
    const to = encodeOne(shown(right, showSecrets));
    const text = unifiedDiff(from, to, {
      fromLabel: header(options.fromName, left),
      toLabel: header(options.toName, right),
    });
    if (text !== "") parts.push(text);
    else if (!showSecrets && encodeOne(left) !== encodeOne(right)) hiddenChanges.push(documentLabel(left));
  }
  for (const right of ordered(b)) {
    if (seen.has(identityOf(right))) continue;
    const to = encodeOne(shown(right, showSecrets));
    parts.push(unifiedDiff("", to, { fromLabel: "/dev/null", toLabel: header(options.toName, right) }));
  }
  return { text: parts.join(""), hiddenChanges };
}

/** The legacy document first, as configs are written. */
function ordered(docs: readonly PlainDocument[]): PlainDocument[] {
  return [...docs.filter((d) => d.kind === LEGACY_KIND), ...docs.filter((d) => d.kind !== LEGACY_KIND)];
}

export interface PatchTextOptions {
  readonly shapes?: ShapeSource;
  /** Keep secret values (the patch is then applicable); otherwise they show as `******`. */
  readonly showSecrets?: boolean;
}

export interface PatchText {
  /** Multi-document YAML; "" when the configs are equal. */
  readonly text: string;
  /** Whether secret values were replaced (the patch would then write `******`). */
  readonly redacted: boolean;
}

/** The strategic merge patch turning `a` into `b`, as YAML. */
export function configPatch(
  a: readonly PlainDocument[],
  b: readonly PlainDocument[],
  options: PatchTextOptions = {},
): PatchText {
  const docs = strategicPatchBetween(a, b, options.shapes !== undefined ? { shapes: options.shapes } : {});
  let redacted = false;
  const texts = docs.map((data) => {
    let out = data;
    if (options.showSecrets !== true) {
      const r = redactData(typeof data.kind === "string" ? data.kind : LEGACY_KIND, data);
      if (r.redacted.length > 0) redacted = true;
      out = r.value;
    }
    // The config encoder's layout and quoting, in the order the patch was built.
    const kind = typeof out.kind === "string" ? out.kind : LEGACY_KIND;
    return encodeDocument({ kind, data: out }, { order: "as-written" });
  });
  return { text: texts.join("---\n"), redacted };
}

export { REDACTED };
