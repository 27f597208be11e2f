// The talosconfig data model: a current context name and named contexts, each holding the
// endpoints, nodes and credentials of one cluster.

export interface BasicAuth {
  username: string;
  password: string;
}

export interface SideroV1Auth {
  identity: string;
}

export interface ContextAuth {
  basic?: BasicAuth;
  siderov1?: SideroV1Auth;
}

export interface ClientContext {
  /** Where the gRPC connection goes (apid); always present, possibly empty. */
  endpoints: string[];
  /** Default target nodes. */
  nodes?: string[];
  /** Base64 of the Talos API CA certificate PEM. */
  ca?: string;
  /** Base64 of the client certificate PEM. */
  crt?: string;
  /** Base64 of the client private key PEM. */
  key?: string;
  auth?: ContextAuth;
  /** Cluster name sent to multi-cluster proxy endpoints. */
  cluster?: string;
  /** socks5://, http:// or https:// proxy, or "direct" to ignore proxy environment variables. */
  proxyUrl?: string;
}

export interface ClientConfig {
  /** The current context name; "" when none is set. */
  context: string;
  contexts: Record<string, ClientContext>;
}

export function emptyClientConfig(): ClientConfig {
  return { context: "", contexts: newContextMap() };
}

/**
 * A context map without a prototype: context names are user text, and a context called
 * "__proto__" or "constructor" must be an ordinary entry.
 */
export function newContextMap(): Record<string, ClientContext> {
  return Object.create(null) as Record<string, ClientContext>;
}

export function hasContext(config: ClientConfig, name: string): boolean {
  return Object.hasOwn(config.contexts, name);
}

export function getContext(config: ClientConfig, name: string): ClientContext | undefined {
  return hasContext(config, name) ? config.contexts[name] : undefined;
}

/** A deep copy, so a caller can edit a config without touching the original. */
export function cloneClientConfig(config: ClientConfig): ClientConfig {
  const contexts = newContextMap();
  for (const [name, ctx] of Object.entries(config.contexts)) contexts[name] = cloneContext(ctx);
  return { context: config.context, contexts };
}

export function cloneContext(ctx: ClientContext): ClientContext {
  const copy: ClientContext = { ...ctx, endpoints: [...ctx.endpoints] };
  if (ctx.nodes) copy.nodes = [...ctx.nodes];
  if (ctx.auth) {
    copy.auth = {};
    if (ctx.auth.basic) copy.auth.basic = { ...ctx.auth.basic };
    if (ctx.auth.siderov1) copy.auth.siderov1 = { ...ctx.auth.siderov1 };
  }
  return copy;
}

/**
 * Orders names as talosctl's YAML encoder orders map keys: character by character, except
 * that runs of digits compare by their numeric value, so "a-2" sorts before "a-10".
 */
export function compareNames(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a[i]!;
    const cb = b[j]!;
    if (isDigit(ca) && isDigit(cb)) {
      let ei = i;
      let ej = j;
      while (ei < a.length && isDigit(a[ei]!)) ei++;
      while (ej < b.length && isDigit(b[ej]!)) ej++;
      const na = a.slice(i, ei).replace(/^0+(?=\d)/, "");
      const nb = b.slice(j, ej).replace(/^0+(?=\d)/, "");
      if (na.length !== nb.length) return na.length - nb.length;
      if (na !== nb) return na < nb ? -1 : 1;
      // Same value: the shorter spelling (fewer leading zeros) first.
      if (ei - i !== ej - j) return ei - i - (ej - j);
      i = ei;
      j = ej;
      continue;
    }
    if (ca !== cb) return ca < cb ? -1 : 1;
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

/** Context names in display order. */
export function sortedContextNames(config: ClientConfig): string[] {
  return Object.keys(config.contexts).sort(compareNames);
}

/** "(known contexts: a, b)" or "(no contexts defined)", for errors about a missing context. */
export function knownContextsHint(config: ClientConfig): string {
  const names = sortedContextNames(config);
  return names.length === 0 ? "(no contexts defined)" : `(known contexts: ${names.join(", ")})`;
}
