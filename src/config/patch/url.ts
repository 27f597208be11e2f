// URL merging as Talos does it for `meta.URL` / `*Endpoint` fields: the parsed URLs are merged
// component by component, and components the patch leaves empty keep the config's value
// (`https://127.0.0.1:6643/` + `https://10.0.0.1` = `https://10.0.0.1/`).

interface UrlParts {
  scheme: string;
  opaque: string;
  userinfo: string;
  host: string;
  path: string;
  query: string;
  forceQuery: boolean;
  fragment: string;
}

/** Splits a URL the way Go's net/url does for the parts that matter here. */
export function parseUrlParts(raw: string): UrlParts {
  const parts: UrlParts = {
    scheme: "",
    opaque: "",
    userinfo: "",
    host: "",
    path: "",
    query: "",
    forceQuery: false,
    fragment: "",
  };
  let rest = raw;
  const hash = rest.indexOf("#");
  if (hash >= 0) {
    parts.fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (scheme) {
    parts.scheme = scheme[1]!.toLowerCase();
    rest = rest.slice(scheme[0].length);
  }
  const q = rest.indexOf("?");
  if (q >= 0) {
    parts.query = rest.slice(q + 1);
    parts.forceQuery = parts.query === "";
    rest = rest.slice(0, q);
  }
  if (parts.scheme !== "" && !rest.startsWith("/")) {
    parts.opaque = rest;
    return parts;
  }
  if (rest.startsWith("//")) {
    rest = rest.slice(2);
    const slash = rest.indexOf("/");
    const authority = slash >= 0 ? rest.slice(0, slash) : rest;
    rest = slash >= 0 ? rest.slice(slash) : "";
    const at = authority.lastIndexOf("@");
    if (at >= 0) {
      parts.userinfo = authority.slice(0, at);
      parts.host = authority.slice(at + 1);
    } else {
      parts.host = authority;
    }
  }
  parts.path = rest;
  return parts;
}

export function formatUrlParts(p: UrlParts): string {
  let out = "";
  if (p.scheme !== "") out += `${p.scheme}:`;
  if (p.opaque !== "") {
    out += p.opaque;
  } else {
    if (p.scheme !== "" || p.host !== "" || p.userinfo !== "") {
      out += "//";
      if (p.userinfo !== "") out += `${p.userinfo}@`;
      out += p.host;
    }
    if (p.path !== "" && !p.path.startsWith("/") && p.host !== "") out += "/";
    out += p.path;
  }
  if (p.forceQuery || p.query !== "") out += `?${p.query}`;
  if (p.fragment !== "") out += `#${p.fragment}`;
  return out;
}

export function mergeUrl(left: unknown, right: unknown): unknown {
  if (right === null || right === undefined || right === "") return left;
  if (typeof right !== "string" || typeof left !== "string" || left === "") return right;
  const l = parseUrlParts(left);
  const r = parseUrlParts(right);
  const merged: UrlParts = {
    scheme: r.scheme || l.scheme,
    opaque: r.opaque || l.opaque,
    userinfo: r.userinfo || l.userinfo,
    host: r.host || l.host,
    path: r.path || l.path,
    query: r.query || l.query,
    // A bool in Go's url.URL: always taken from the patch.
    forceQuery: r.forceQuery,
    fragment: r.fragment || l.fragment,
  };
  return formatUrlParts(merged);
}
