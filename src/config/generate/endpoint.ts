// The cluster endpoint argument of `gen config`: it must be an https:// URL. Mistakes get
// talosctl's messages with a suggested fix; parsing follows Go's net/url where it decides
// which message applies.
import { TalosError, UserError } from "../../errors.js";

/** The Kubernetes API port suggested when the endpoint has none. */
export const DEFAULT_CONTROL_PLANE_PORT = 6443;

interface ParsedUrl {
  scheme: string;
  host: string;
  path: string;
  /** Whatever follows the path (`?query`, `#fragment`), kept for the suggestion. */
  rest: string;
}

class UrlParseError extends TalosError {
  constructor(message: string) {
    super("invalid", message);
  }
}

const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

/** Parses a URL the way Go's url.Parse splits it, raising its errors for malformed input. */
function parseUrl(raw: string): ParsedUrl {
  if (raw.startsWith(":")) throw new UrlParseError("missing protocol scheme");
  let rest = raw;
  let tail = "";
  const cut = rest.search(/[?#]/);
  if (cut >= 0) {
    tail = rest.slice(cut);
    rest = rest.slice(0, cut);
  }
  const m = SCHEME.exec(rest);
  let scheme = "";
  if (m) {
    scheme = m[1]!.toLowerCase();
    rest = rest.slice(m[0].length);
    if (!rest.startsWith("/")) {
      // Go keeps this as an opaque URL ("host:port" reads as scheme "host"); it is treated
      // below like the bare host:port it almost certainly is.
      return { scheme, host: "", path: rest, rest: tail };
    }
  } else {
    const firstSegment = rest.split("/")[0]!;
    if (firstSegment.includes(":")) throw new UrlParseError("first path segment in URL cannot contain colon");
  }
  if (!rest.startsWith("//")) return { scheme, host: "", path: rest, rest: tail };
  const authorityEnd = rest.indexOf("/", 2);
  const authority = authorityEnd < 0 ? rest.slice(2) : rest.slice(2, authorityEnd);
  const path = authorityEnd < 0 ? "" : rest.slice(authorityEnd);
  const host = authority.includes("@") ? authority.slice(authority.lastIndexOf("@") + 1) : authority;
  checkHost(host);
  return { scheme, host, path, rest: tail };
}

function checkHost(host: string): void {
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    if (close < 0) throw new UrlParseError("missing ']' in host");
    const port = host.slice(close + 1);
    if (port !== "" && !/^:[0-9]*$/.test(port))
      throw new UrlParseError(`invalid port ${JSON.stringify(port)} after host`);
    return;
  }
  const colon = host.lastIndexOf(":");
  if (colon >= 0) {
    const port = host.slice(colon);
    if (!/^:[0-9]*$/.test(port)) throw new UrlParseError(`invalid port ${JSON.stringify(port)} after host`);
  }
  const bad = /[^A-Za-z0-9\-._~!$&'()*+,;=:%]/.exec(host);
  if (bad) throw new UrlParseError(`invalid character ${JSON.stringify(bad[0])} in host name`);
}

/** The port of a host (`h:1`, `[::1]:1`), or "" when there is none. */
function portOf(host: string): string {
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    return close >= 0 && host[close + 1] === ":" ? host.slice(close + 2) : "";
  }
  const colon = host.lastIndexOf(":");
  return colon >= 0 && host.indexOf(":") === colon ? host.slice(colon + 1) : "";
}

/** The hostname of a host without port and brackets. */
export function hostnameOf(host: string): string {
  if (host.startsWith("[")) {
    const close = host.indexOf("]");
    return close >= 0 ? host.slice(1, close) : host.slice(1);
  }
  const colon = host.lastIndexOf(":");
  return colon >= 0 && host.indexOf(":") === colon ? host.slice(0, colon) : host;
}

/** The https URL the user most likely meant. */
function suggestion(u: ParsedUrl): string {
  let host = u.host;
  let path = u.path;
  if (host === "" && path !== "") {
    // A bare value parsed as a path: its first segment is the host.
    const slash = path.indexOf("/");
    host = slash < 0 ? path : path.slice(0, slash);
    path = slash < 0 ? "" : path.slice(slash);
  }
  if (!host.startsWith("[") && (host.match(/:/g)?.length ?? 0) > 1) host = `[${host}]`;
  if (portOf(host) === "") host = `${host}:${DEFAULT_CONTROL_PLANE_PORT}`;
  return `https://${host}${path}${u.rest}`;
}

function tryMessage(problem: string, u: ParsedUrl): UserError {
  return new UserError(`${problem}\ntry: ${JSON.stringify(suggestion(u))}`);
}

/** `host:port` or an IPv6 address, without any URL syntax around it. */
function looksLikeBareHost(value: string): boolean {
  if (!/^[A-Za-z0-9.:-]+$/.test(value)) return false;
  const colons = value.match(/:/g)?.length ?? 0;
  return colons > 1 || /:[0-9]*$/.test(value);
}

/** Checks a host the way Talos validates endpoint URIs (brackets, blank host, port range). */
function validateEndpointHost(host: string): string | undefined {
  if (!host.startsWith("[") && (host.match(/:/g)?.length ?? 0) > 1) {
    return "IPv6 addresses MUST be enclosed by square brackets";
  }
  const hostname = hostnameOf(host);
  if (hostname === "") return "hostname must not be blank";
  const hasPort = host.startsWith("[")
    ? host.slice(host.indexOf("]") + 1).startsWith(":")
    : host.includes(":");
  if (!hasPort) return undefined;
  const port = portOf(host);
  if (!/^[0-9]+$/.test(port)) return "port number must be numeric";
  const n = Number(port);
  if (n < 1 || n > 65535) return "port number must be between 1 and 65535";
  return undefined;
}

/**
 * Validates the cluster endpoint of `gen config` and returns it as written into the config
 * (the scheme in lower case). Throws talosctl's messages, with a `try: "<url>"` line where it
 * can suggest a fix.
 */
export function validateClusterEndpoint(endpoint: string): string {
  let u: ParsedUrl;
  try {
    u = parseUrl(endpoint);
  } catch (err) {
    if (!(err instanceof UrlParseError)) throw err;
    if (endpoint.includes("/")) {
      throw new UserError(
        `failed to parse the cluster endpoint URL: parse ${JSON.stringify(endpoint)}: ${err.message}`,
      );
    }
    // Not a URL at all: most likely host:port.
    u = { scheme: "", host: endpoint, path: "", rest: "" };
  }
  if (u.scheme !== "" && u.host === "" && looksLikeBareHost(endpoint)) {
    // "name:6443" (or the IPv6 address "fd00::1") reads as a URL with scheme "name"; what was
    // meant is a host and port.
    u = { scheme: "", host: endpoint, path: "", rest: "" };
  }
  if (u.scheme === "") {
    const hasPort = u.host !== "" && portOf(u.host) !== "";
    throw tryMessage(
      hasPort
        ? "no scheme specified for the cluster endpoint URL"
        : "no scheme and port specified for the cluster endpoint URL",
      u,
    );
  }
  if (u.scheme !== "https") throw tryMessage("the control plane endpoint URL should have scheme https://", u);
  const problem = validateEndpointHost(u.host);
  if (problem) throw new UserError(`error validating the cluster endpoint URL: ${problem}`);
  return `https${endpoint.slice(u.scheme.length)}`;
}

/** The hostname of a validated endpoint URL (no port, no brackets). */
export function endpointHostname(endpoint: string): string {
  return hostnameOf(parseUrl(endpoint).host);
}
