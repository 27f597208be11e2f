// Kubernetes names as Talos checks them (siderolabs/talos: pkg/machinery/labels): qualified
// names, label values, DNS-1123 subdomains, annotations and taints. Each check returns Talos's
// message texts, one per problem, keys in sorted order.
import { goQuote } from "./go.js";

const DNS1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const RESERVED_ANNOTATIONS = [
  "talos.dev/owned-annotations",
  "talos.dev/owned-labels",
  "talos.dev/owned-taints",
];
const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

const byteLength = (s: string) => Buffer.byteLength(s, "utf8");

export function dns1123SubdomainError(value: string): string | undefined {
  if (byteLength(value) > 253) return `domain name length exceeds limit of 253: ${goQuote(value)}`;
  if (!DNS1123_SUBDOMAIN.test(value)) return `domain doesn't match required format: ${goQuote(value)}`;
  return undefined;
}

export function qualifiedNameError(value: string): string | undefined {
  const parts = value.split("/");
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) return `prefix cannot be empty: ${goQuote(value)}`;
    const e = dns1123SubdomainError(prefix);
    if (e !== undefined) return `prefix ${goQuote(prefix)} is invalid: ${e}`;
  } else return `invalid format: too many slashes: ${goQuote(value)}`;
  if (name.length === 0) return `name cannot be empty: ${goQuote(value)}`;
  if (byteLength(name) > 63) return `name is too long: ${goQuote(value)} (limit is 63)`;
  if (!QUALIFIED_NAME.test(name)) return `name ${goQuote(name)} is invalid`;
  return undefined;
}

export function labelValueError(value: string): string | undefined {
  if (byteLength(value) > 63) return `label value length exceeds limit of 63: ${goQuote(value)}`;
  if (!LABEL_VALUE.test(value)) return `label value ${goQuote(value)} is invalid`;
  return undefined;
}

const sortedKeys = (m: Readonly<Record<string, unknown>>) => Object.keys(m).sort();
const asString = (v: unknown) => (v === null || v === undefined ? "" : String(v));

export function labelsErrors(labels: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const k of sortedKeys(labels)) {
    const e1 = qualifiedNameError(k);
    if (e1 !== undefined) out.push(e1);
    const e2 = labelValueError(asString(labels[k]));
    if (e2 !== undefined) out.push(e2);
  }
  return out;
}

export function annotationsErrors(annotations: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  let size = 0;
  for (const k of sortedKeys(annotations)) {
    const e = qualifiedNameError(k);
    if (e !== undefined) out.push(e);
    if (RESERVED_ANNOTATIONS.includes(k)) out.push(`annotation ${goQuote(k)} is reserved`);
    size += byteLength(k) + byteLength(asString(annotations[k]));
  }
  if (size > ANNOTATIONS_SIZE_LIMIT)
    out.push(`total annotation size exceeds limit of ${ANNOTATIONS_SIZE_LIMIT} bytes`);
  return out;
}

export function taintsErrors(taints: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const k of sortedKeys(taints)) {
    const e = qualifiedNameError(k);
    if (e !== undefined) {
      out.push(e);
      continue;
    }
    const spec = asString(taints[k]);
    const colon = spec.indexOf(":");
    const value = colon >= 0 ? spec.slice(0, colon) : spec;
    const effect = colon >= 0 ? spec.slice(colon + 1) : spec;
    if (!TAINT_EFFECTS.includes(effect)) {
      out.push(`invalid taint effect: ${goQuote(effect)}`);
      continue;
    }
    if (colon >= 0) {
      const ve = labelValueError(value);
      if (ve !== undefined) out.push(ve);
    }
  }
  return out;
}

/** The Talos API roles (siderolabs/talos: pkg/machinery/role). */
export const TALOS_ROLES = [
  "os:admin",
  "os:operator",
  "os:reader",
  "os:etcd:backup",
  "os:image:verifier",
  "os:meta:writer",
  "os:impersonator",
];
