// Endpoint strings as talosconfig and -e/--endpoints carry them: a bare host, host:port, or a
// URL. Each becomes a host and a port (apid's API port when none is given).
import net from "node:net";
import { UserError } from "../errors.js";
import { API_PORT } from "../wire/index.js";

export interface Endpoint {
  /** The text as the user gave it. */
  readonly given: string;
  /** Host name or IP address, without brackets. */
  readonly host: string;
  readonly port: number;
}

/** Parses one endpoint; errors name the endpoint. */
export function parseEndpoint(text: string, defaultPort = API_PORT): Endpoint {
  const given = text;
  const s = text.trim();
  if (s === "") throw new UserError("empty endpoint");
  if (s.includes("://")) return fromUrl(given, s);
  // A bare IPv6 address has colons but no brackets: it is all host. (It has at least two; the
  // check comes first because Node's IPv6 test compiles a large pattern on first use, which
  // costs a command's start-up more than the rest of the parse.)
  if (s.indexOf(":") !== s.lastIndexOf(":") && net.isIPv6(s)) return { given, host: s, port: defaultPort };
  if (s.startsWith("[")) {
    const close = s.indexOf("]");
    if (close === -1) throw new UserError(`invalid endpoint "${given}": missing "]"`);
    const host = s.slice(1, close);
    if (!net.isIPv6(host))
      throw new UserError(`invalid endpoint "${given}": "${host}" is not an IPv6 address`);
    const rest = s.slice(close + 1);
    if (rest === "") return { given, host, port: defaultPort };
    if (!rest.startsWith(":")) throw new UserError(`invalid endpoint "${given}": unexpected "${rest}"`);
    return { given, host, port: parsePort(given, rest.slice(1)) };
  }
  const colon = s.lastIndexOf(":");
  if (colon === -1) return { given, host: checkHost(given, s), port: defaultPort };
  return { given, host: checkHost(given, s.slice(0, colon)), port: parsePort(given, s.slice(colon + 1)) };
}

function fromUrl(given: string, s: string): Endpoint {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new UserError(`invalid endpoint "${given}": not a valid URL`);
  }
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  if (host === "") throw new UserError(`invalid endpoint "${given}": the URL has no host`);
  // URL drops a port equal to the scheme's default, which is the port we want anyway.
  let port: number;
  if (url.port !== "") port = Number(url.port);
  else if (url.protocol === "https:") port = 443;
  else if (url.protocol === "http:") port = 80;
  else port = API_PORT;
  return { given, host, port };
}

function checkHost(given: string, host: string): string {
  if (host === "") throw new UserError(`invalid endpoint "${given}": missing host`);
  if (/[\s/?#@[\]:]/.test(host))
    throw new UserError(`invalid endpoint "${given}": "${host}" is not a host name`);
  return host;
}

function parsePort(given: string, text: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new UserError(`invalid endpoint "${given}": bad port "${text}"`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new UserError(`invalid endpoint "${given}": port ${port} out of range`);
  return port;
}

/** `host:port`, with brackets around IPv6 hosts. */
export function formatAuthority(endpoint: Pick<Endpoint, "host" | "port">): string {
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}`;
}

/** The HTTPS base URL the gRPC transport dials. */
export function endpointUrl(endpoint: Pick<Endpoint, "host" | "port">): string {
  return `https://${formatAuthority(endpoint)}`;
}
