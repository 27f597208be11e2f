// Label and field selectors of list and watch requests, parsed with the rules of
// k8s.io/apimachinery's pkg/labels and pkg/fields, and the field labels each type supports.
import type { Json, KObject } from "./objects.js";
import type { ResourceType } from "./resources.js";
import { badRequest } from "./status.js";

type Op = "=" | "!=" | "in" | "notin" | "exists" | "!";

interface Requirement {
  readonly key: string;
  readonly op: Op;
  readonly values: readonly string[];
}

export interface Selector {
  readonly requirements: readonly Requirement[];
  matches(get: (key: string) => string | undefined): boolean;
}

export const EVERYTHING: Selector = { requirements: [], matches: () => true };

function selector(requirements: Requirement[]): Selector {
  return {
    requirements,
    matches: (get) =>
      requirements.every((r) => {
        const v = get(r.key);
        switch (r.op) {
          case "=":
            return v === r.values[0];
          case "!=":
            return v !== r.values[0];
          case "in":
            return v !== undefined && r.values.includes(v);
          case "notin":
            return v === undefined || !r.values.includes(v);
          case "exists":
            return v !== undefined;
          case "!":
            return v === undefined;
        }
        return false;
      }),
  };
}

/** Splits at top-level commas (not inside the parentheses of a set). */
function splitTerms(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim());
}

const LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): void {
  if (!LABEL_KEY.test(key)) {
    throw badRequest(
      `unable to parse requirement: <nil>: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    );
  }
}

function checkValue(value: string): void {
  if (!LABEL_VALUE.test(value) || value.length > 63) {
    throw badRequest(
      `unable to parse requirement: values[0][${value}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    );
  }
}

/** A label selector: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated. */
export function parseLabelSelector(text: string | undefined): Selector {
  if (text === undefined || text.trim() === "") return EVERYTHING;
  const reqs: Requirement[] = [];
  for (const term of splitTerms(text)) {
    if (term === "") throw badRequest(`unable to parse requirement: found '', expected: identifier`);
    let m = /^!\s*(\S+)$/.exec(term);
    if (m) {
      checkKey(m[1]!);
      reqs.push({ key: m[1]!, op: "!", values: [] });
      continue;
    }
    m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (m) {
      checkKey(m[1]!);
      const values = m[3]!
        .split(",")
        .map((v) => v.trim())
        .filter((v) => v !== "");
      for (const v of values) checkValue(v);
      reqs.push({ key: m[1]!, op: m[2] as Op, values });
      continue;
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      checkKey(m[1]!);
      checkValue(m[3]!);
      reqs.push({ key: m[1]!, op: m[2] === "!=" ? "!=" : "=", values: [m[3]!] });
      continue;
    }
    if (/^\S+$/.test(term) && !/[=!()]/.test(term)) {
      checkKey(term);
      reqs.push({ key: term, op: "exists", values: [] });
      continue;
    }
    throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
  }
  return selector(reqs);
}

/** A field selector: `a=b`, `a==b`, `a!=b`, comma-separated (backslash escapes `,` `=` `\`). */
export function parseFieldSelector(text: string | undefined): Selector {
  if (text === undefined || text.trim() === "") return EVERYTHING;
  const reqs: Requirement[] = [];
  for (const term of text.split(/(?<!\\),/)) {
    const m = /^([^=!]+?)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const value = m[3]!.replace(/\\(.)/g, "$1");
    reqs.push({ key: m[1]!.trim(), op: m[2] === "!=" ? "!=" : "=", values: [value] });
  }
  return selector(reqs);
}

/** The field labels each kind may be selected on (besides metadata.name and metadata.namespace). */
const FIELD_LABELS: Readonly<Record<string, readonly string[]>> = {
  Pod: [
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  Node: ["spec.unschedulable"],
  Event: [
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  Secret: ["type"],
  Namespace: ["status.phase"],
  ReplicaSet: ["status.replicas"],
  Job: ["status.successful"],
};

/** Rejects a field selector naming a field the type cannot be selected on, as the API server does. */
export function checkFieldSelector(r: ResourceType, sel: Selector): void {
  const allowed = FIELD_LABELS[r.kind] ?? [];
  for (const req of sel.requirements) {
    if (req.key === "metadata.name" || req.key === "metadata.namespace") continue;
    if (!allowed.includes(req.key)) throw badRequest(`field label not supported: ${req.key}`);
  }
}

/** The value of a field label on an object (booleans as `true`/`false`, as the server renders them). */
export function fieldValue(obj: KObject, key: string): string | undefined {
  if (key === "source") {
    const src = (obj as Json).source as Json | undefined;
    return typeof src?.component === "string" ? src.component : "";
  }
  let cur: unknown = obj;
  for (const part of key.split(".")) {
    if (typeof cur !== "object" || cur === null) return "";
    cur = (cur as Json)[part];
  }
  if (cur === undefined || cur === null) return "";
  if (typeof cur === "boolean" || typeof cur === "number") return String(cur);
  return typeof cur === "string" ? cur : "";
}
