// Hides secret values before a config is shown: tokens, private keys, encryption secrets,
// passwords. Redaction is by field name and by content (anything holding a private key).
import { LEGACY_KIND } from "../document.js";
import { isPlainObject } from "../patch/values.js";

export const REDACTED = "******";

/** Field names whose string values are secrets wherever they appear. */
const SECRET_NAMES = new Set([
  "token",
  "secret",
  "password",
  "passphrase",
  "privatekey",
  "presharedkey",
  "identitytoken",
  "clustersecret",
  "secretboxencryptionsecret",
  "aescbcencryptionsecret",
  "bootstraptoken",
]);

/** Secrets that neither their name nor their content gives away, by document and path. */
const SECRET_PATHS: readonly { kind: string; path: RegExp }[] = [
  // Registry credentials: `auth` is base64 of user:password.
  { kind: LEGACY_KIND, path: /^machine\.registries\.config\.[^.]+\.auth\.auth$/ },
  { kind: "RegistryAuthConfig", path: /^auth$/ },
];

export interface Redaction<T> {
  readonly value: T;
  /** Paths (dotted) whose values were replaced. */
  readonly redacted: readonly string[];
}

/** Returns a copy of a document's data with secrets replaced by `******`. */
export function redactData(kind: string, data: Record<string, unknown>): Redaction<Record<string, unknown>> {
  const redacted: string[] = [];
  const walk = (value: unknown, path: string, name: string): unknown => {
    if (Array.isArray(value)) return value.map((v, i) => walk(v, `${path}[${i}]`, name));
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, path === "" ? k : `${path}.${k}`, k);
      return out;
    }
    if (
      typeof value === "string" &&
      value !== "" &&
      value !== REDACTED &&
      isSecret(kind, path, name, value)
    ) {
      redacted.push(path);
      return kind === "SideroLinkConfig" && name === "apiUrl" ? redactJoinToken(value) : REDACTED;
    }
    return value;
  };
  return { value: walk(data, "", "") as Record<string, unknown>, redacted };
}

function isSecret(kind: string, path: string, name: string, value: string): boolean {
  if (SECRET_NAMES.has(name.toLowerCase())) return true;
  if (SECRET_PATHS.some((s) => s.kind === kind && s.path.test(path))) return true;
  if (kind === "SideroLinkConfig" && name === "apiUrl") return /[?&]jointoken=/i.test(value);
  return holdsPrivateKey(value);
}

/** PEM text of a private key, raw or base64-encoded as the v1alpha1 document stores it. */
export function holdsPrivateKey(value: string): boolean {
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(value)) return true;
  const compact = value.trim();
  if (compact.length < 40 || !/^[A-Za-z0-9+/=\s]+$/.test(compact)) return false;
  const decoded = Buffer.from(compact, "base64").toString("latin1");
  return /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(decoded);
}

/** SideroLink's join token travels in the API URL's query. */
function redactJoinToken(url: string): string {
  return url.replace(/([?&]jointoken=)[^&#]*/i, `$1${REDACTED}`);
}
