// What `talosctl config info` reports about a context: its nodes and endpoints, and from the
// client certificate the roles (its Organization values) and when it expires.
import { X509Certificate } from "node:crypto";
import { errorMessage, UserError } from "../errors.js";
import { formatGoDuration } from "../wire/index.js";

import { decodeContextPem, type ResolvedContext } from "./resolve.js";

export interface ContextInfo {
  context: string;
  nodes: string[];
  endpoints: string[];
  /** Organization values of the client certificate, sorted; [] without a certificate. */
  roles: string[];
  /** Time left until the certificate expires, as a Go duration (`8759h59m0s`); "" without one. */
  certTTL: string;
  /** The certificate's NotAfter, RFC 3339 UTC; "" without one. */
  certNotAfter: string;
}

export interface ClientCertificateInfo {
  roles: string[];
  notAfter: Date;
}

export function describeContext(ctx: ResolvedContext, now: Date): ContextInfo {
  const info: ContextInfo = {
    context: ctx.name,
    nodes: [...(ctx.nodes ?? [])],
    endpoints: [...ctx.endpoints],
    roles: [],
    certTTL: "",
    certNotAfter: "",
  };
  const cert = clientCertificateInfo(ctx);
  if (cert) {
    info.roles = cert.roles;
    info.certTTL = formatCertTtl(cert.notAfter.getTime() - now.getTime());
    info.certNotAfter = cert.notAfter.toISOString().replace(/\.\d{3}Z$/, "Z");
  }
  return info;
}

/** Roles and expiry of the context's client certificate; undefined when it has none. */
export function clientCertificateInfo(ctx: ResolvedContext): ClientCertificateInfo | undefined {
  const pem = decodeContextPem(ctx, "crt");
  if (pem === undefined) return undefined;
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch (err) {
    throw new UserError(
      `context "${ctx.name}": the client certificate (crt) cannot be parsed: ${errorMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  return { roles: organizations(cert.subject), notAfter: new Date(cert.validTo) };
}

/** Organization values of a subject as node:crypto prints it (one `KEY=value` per line). */
function organizations(subject: string): string[] {
  const out = new Set<string>();
  for (const line of subject.split("\n")) {
    // A multi-valued RDN prints as `O=a+O=b`.
    for (const part of line.split("+")) {
      if (part.startsWith("O=")) out.add(part.slice(2).replace(/\\(.)/g, "$1"));
    }
  }
  return [...out].sort();
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 12 * MONTH;
const LONG_TIME = 37 * YEAR;

// Thresholds of the wording talosctl uses ("11 months from now"): below `below`, print `text`,
// with %d replaced by the difference divided by `unit`.
const MAGNITUDES: readonly { below: number; text: string; unit: number }[] = [
  { below: SECOND, text: "now", unit: 1 },
  { below: 2 * SECOND, text: "1 second", unit: 1 },
  { below: MINUTE, text: "%d seconds", unit: SECOND },
  { below: 2 * MINUTE, text: "1 minute", unit: 1 },
  { below: HOUR, text: "%d minutes", unit: MINUTE },
  { below: 2 * HOUR, text: "1 hour", unit: 1 },
  { below: DAY, text: "%d hours", unit: HOUR },
  { below: 2 * DAY, text: "1 day", unit: 1 },
  { below: WEEK, text: "%d days", unit: DAY },
  { below: 2 * WEEK, text: "1 week", unit: 1 },
  { below: MONTH, text: "%d weeks", unit: WEEK },
  { below: 2 * MONTH, text: "1 month", unit: 1 },
  { below: YEAR, text: "%d months", unit: MONTH },
  { below: 18 * MONTH, text: "1 year", unit: 1 },
  { below: 2 * YEAR, text: "2 years", unit: 1 },
  { below: LONG_TIME, text: "%d years", unit: YEAR },
  { below: Number.POSITIVE_INFINITY, text: "a long while", unit: 1 },
];

/** "11 months from now", "3 days ago", "now". */
export function formatRelativeTime(target: Date, now: Date): string {
  const delta = target.getTime() - now.getTime();
  const diff = Math.abs(delta);
  const m = MAGNITUDES.find((x) => diff < x.below)!;
  if (m.text === "now") return "now";
  const text = m.text.replace("%d", String(Math.floor(diff / m.unit)));
  return `${text} ${delta > 0 ? "from now" : "ago"}`;
}

/** A certificate's remaining lifetime in Go's duration notation, to whole seconds: `8759h59m0s`, `-1h0m0s`. */
export function formatCertTtl(ms: number): string {
  return formatGoDuration(BigInt(Math.trunc(ms / 1000)) * 1_000_000_000n);
}

/** The `config info` text block. */
export function renderContextInfo(info: ContextInfo, now: Date): string {
  const lines = [
    `Current context:     ${info.context}`,
    `Nodes:               ${info.nodes.length > 0 ? info.nodes.join(", ") : "not defined"}`,
    `Endpoints:           ${info.endpoints.length > 0 ? info.endpoints.join(", ") : "not defined"}`,
  ];
  if (info.roles.length > 0) lines.push(`Roles:               ${info.roles.join(", ")}`);
  if (info.certNotAfter !== "") {
    const notAfter = new Date(info.certNotAfter);
    lines.push(
      `Certificate expires: ${formatRelativeTime(notAfter, now)} (${info.certNotAfter.slice(0, 10)})`,
    );
  }
  return `${lines.join("\n")}\n`;
}
