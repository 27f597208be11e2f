// Image references as go-containerregistry's name.ParseReference reads them (the parser Talos's
// ContainerConfig uses, default options): a tag reference first, then a digest reference.

const TAG_CHARS = /^[A-Za-z0-9_.-]+$/;
const REPOSITORY_CHARS = /^[a-z0-9_./-]+$/;
/** The ASCII characters url.Parse accepts in a host besides letters and digits. */
const HOST_PUNCTUATION = "-._~!$&'()*+,;=:[]<>\"";

function runeCount(s: string): number {
  return [...s].length;
}

/** checkRegistry: "//" + name must parse as a URL whose host is exactly name. */
function validRegistry(name: string): boolean {
  if (/[\x00-\x1f\x7f?#@]/.test(name)) return false;
  let host = name;
  if (host.startsWith("[")) {
    const end = host.lastIndexOf("]");
    if (end < 0) return false;
    const port = host.slice(end + 1);
    if (port !== "" && !/^:\d*$/.test(port)) return false;
    host = host.slice(1, end);
  } else {
    const colon = host.lastIndexOf(":");
    if (colon >= 0) {
      if (!/^\d*$/.test(host.slice(colon + 1))) return false;
      host = host.slice(0, colon);
    }
  }
  for (let i = 0; i < host.length; i++) {
    const ch = host[i]!;
    const code = host.charCodeAt(i);
    if (code >= 0x80 || /[A-Za-z0-9]/.test(ch) || HOST_PUNCTUATION.includes(ch)) continue;
    if (ch === "%" && /^[0-9A-Fa-f]{2}$/.test(host.slice(i + 1, i + 3))) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

/** NewRepository: an optional registry (with a dot or colon, or localhost) and a repository path. */
function validRepository(name: string): boolean {
  if (name === "") return false;
  const slash = name.indexOf("/");
  let repo = name;
  let registry = "";
  if (slash >= 0) {
    const first = name.slice(0, slash);
    if (first === "localhost" || /[.:]/.test(first)) {
      registry = first;
      repo = name.slice(slash + 1);
    }
  }
  const n = runeCount(repo);
  if (n < 1 || n > 255 || !REPOSITORY_CHARS.test(repo)) return false;
  return validRegistry(registry);
}

/** NewTag: `repository[:tag]`, the tag after the last colon unless a slash follows it. */
function validTag(name: string): boolean {
  const parts = name.split(":");
  let base = name;
  if (parts.length > 1 && !parts[parts.length - 1]!.includes("/")) {
    const tag = parts[parts.length - 1]!;
    if (tag === "" || runeCount(tag) > 128 || !TAG_CHARS.test(tag)) return false;
    base = parts.slice(0, -1).join(":");
  }
  return validRepository(base);
}

/** NewDigest: `repository[:tag]@sha256:<64 lowercase hex digits>`. */
function validDigest(name: string): boolean {
  const parts = name.split("@");
  if (parts.length !== 2) return false;
  const [base, digest] = parts as [string, string];
  if (!/^sha256:[a-f0-9]{64}$/.test(digest)) return false;
  if (validTag(base)) return true;
  return validRepository(base);
}

/**
 * How name.ParseReference reads an image reference: "tag" (a tag, or the default latest),
 * "digest" (pinned by digest), or undefined when it does not parse.
 */
export function imageReferenceKind(ref: string): "tag" | "digest" | undefined {
  if (validTag(ref)) return "tag";
  if (validDigest(ref)) return "digest";
  return undefined;
}
