// The emulated kube-apiserver of a control plane: HTTPS with a serving certificate from the
// cluster's Kubernetes CA, client certificates verified against that CA, the health and
// discovery endpoints, OpenAPI, and the REST API over the cluster's shared store.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { errorMessage } from "../../errors.js";
import {
  ANONYMOUS,
  ANONYMOUS_PATHS,
  type Attributes,
  authenticate,
  authorize,
  forbidden,
  type UserInfo,
} from "./auth.js";
import {
  AGGREGATED_DISCOVERY_V2,
  aggregatedDiscovery,
  apiGroup,
  apiGroupList,
  apiVersions,
  openApiV2Document,
  openApiV3Document,
  openApiV3Index,
  resourceList,
  versionInfo,
} from "./discovery.js";
import type { Json } from "./objects.js";
import { findResource, GROUP_ORDER, type ResourceType } from "./resources.js";
import { handleResource, MAX_BODY_BYTES, type RestContext } from "./rest.js";
import { KubeStatusError, notFoundPath, unauthorized } from "./status.js";
import type { KubeStorage } from "./storage.js";
import { serveWatch } from "./watch.js";

export interface ApiServerTls {
  readonly crt: string;
  readonly key: string;
  /** The CA client certificates must chain to. */
  readonly ca: string;
}

export interface ApiServerOptions {
  readonly storage: KubeStorage;
  readonly tls: ApiServerTls;
  readonly now: () => Date;
  /** `v1.37.0`: what /version reports. */
  readonly version: () => string;
  readonly buildDate: string;
  /** What /readyz and /livez answer besides the server itself being up. */
  readonly ready: () => boolean;
  readonly log: (line: string) => void;
  readonly podLogs: RestContext["podLogs"];
}

interface ParsedResourcePath {
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** Splits `/api/v1/...` and `/apis/<g>/<v>/...` into the resource, namespace, name and subresource. */
export function parseResourcePath(path: string): ParsedResourcePath | undefined {
  const parts = path
    .split("/")
    .filter((p) => p !== "")
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 3) {
    group = "";
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const nested = findResource(group, version, rest[2]!);
    if (nested?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const resource = findResource(group, version, rest[0]!);
  if (!resource || rest.length > 3) return undefined;
  if (resource.namespaced && namespace === undefined && rest.length > 1) return undefined;
  return {
    resource,
    ...(namespace !== undefined ? { namespace } : {}),
    ...(rest[1] !== undefined ? { name: rest[1] } : {}),
    ...(rest[2] !== undefined ? { subresource: rest[2] } : {}),
  };
}

function verbOf(method: string, p: ParsedResourcePath, query: URLSearchParams): string {
  switch (method) {
    case "GET":
    case "HEAD":
      if (query.get("watch") === "true" || query.get("watch") === "1") return "watch";
      return p.name !== undefined ? "get" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return p.name !== undefined ? "delete" : "deletecollection";
    default:
      return "";
  }
}

function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

export class KubeApiServer {
  private readonly servers: https.Server[] = [];
  private readonly closing = new AbortController();
  private readonly ctx: RestContext;

  constructor(private readonly options: ApiServerOptions) {
    this.ctx = { storage: options.storage, now: options.now, podLogs: options.podLogs };
  }

  /** Serves on `host:port`; resolves once listening. */
  async listen(host: string, port: number): Promise<https.Server> {
    const server = https.createServer(
      {
        cert: this.options.tls.crt,
        key: this.options.tls.key,
        ca: this.options.tls.ca,
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: "TLSv1.2",
      },
      (req, res) => {
        void this.handle(req, res);
      },
    );
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host, port, exclusive: true }, () => {
        server.off("error", reject);
        resolve();
      });
    });
    this.servers.push(server);
    return server;
  }

  /** Stops one listener (the others keep serving). */
  async unlisten(server: https.Server): Promise<void> {
    const at = this.servers.indexOf(server);
    if (at >= 0) this.servers.splice(at, 1);
    await closeServer(server);
  }

  addressOf(server: https.Server): AddressInfo {
    return server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.closing.abort();
    await Promise.all(this.servers.splice(0).map(closeServer));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader("Audit-Id", randomUUID());
    res.setHeader("Cache-Control", "no-cache, private");
    try {
      await this.route(req, res);
    } catch (err) {
      const status =
        err instanceof KubeStatusError
          ? err
          : new KubeStatusError(500, "InternalError", `Internal error occurred: ${errorMessage(err)}`);
      if (status.httpCode >= 500)
        this.options.log(`kube-apiserver: ${req.method} ${req.url}: ${errorMessage(err)}`);
      if (res.headersSent) {
        res.end();
        return;
      }
      sendJson(res, status.httpCode, status.toStatus());
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://localhost");
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, "") : url.pathname;
    const method = req.method ?? "GET";
    const user = await authenticate(req.socket as TLSSocket, req.headers.authorization, this.options.storage);
    const who = user ?? ANONYMOUS;

    const health = /^\/(healthz|livez|readyz)(\/.*)?$/.exec(path);
    if (health) {
      if (!user && !ANONYMOUS_PATHS.has(`/${health[1]}`)) throw unauthorized();
      if (user) await this.requirePath(who, path);
      const ok = health[1] === "livez" || this.options.ready();
      const verbose = url.searchParams.has("verbose");
      const checks = [
        "ping",
        "log",
        "etcd",
        "poststarthook/start-apiserver-admission-initializer",
        "poststarthook/bootstrap-controller",
        "poststarthook/rbac/bootstrap-roles",
      ];
      const body = verbose
        ? `${checks.map((c) => (c === "etcd" && !ok ? `[-]${c} failed: reason withheld` : `[+]${c} ok`)).join("\n")}\n${health[1]} check ${ok ? "passed" : "failed"}\n`
        : ok
          ? "ok"
          : `[-]etcd failed: reason withheld\n${health[1]} check failed\n`;
      res.writeHead(ok ? 200 : 500, {
        "Content-Type": "text/plain; charset=utf-8",
        "X-Content-Type-Options": "nosniff",
      });
      res.end(body);
      return;
    }
    if (!user) throw unauthorized();

    const accept = req.headers.accept;
    if (path === "/version") {
      await this.requirePath(who, path);
      sendJson(res, 200, versionInfo(this.options.version(), this.options.buildDate));
      return;
    }
    if (path === "/api" || path === "/apis") {
      await this.requirePath(who, path);
      if (accept?.includes("as=APIGroupDiscoveryList") && accept.includes("v=v2")) {
        sendJson(res, 200, aggregatedDiscovery(path === "/api"), AGGREGATED_DISCOVERY_V2);
        return;
      }
      const local = req.socket.localAddress ?? "";
      const port = req.socket.localPort ?? 6443;
      sendJson(
        res,
        200,
        path === "/api" ? apiVersions(`${local.replace(/^::ffff:/, "")}:${port}`) : apiGroupList(),
      );
      return;
    }
    const groupOnly = /^\/apis\/([^/]+)$/.exec(path);
    if (groupOnly) {
      await this.requirePath(who, path);
      const g = apiGroup(groupOnly[1]!);
      if (!g) throw notFoundPath();
      sendJson(res, 200, g);
      return;
    }
    const gv = /^\/api\/(v1)$|^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
    if (gv) {
      await this.requirePath(who, path);
      const list = gv[1] ? resourceList("", gv[1]) : resourceList(gv[2]!, gv[3]!);
      if (!list) throw notFoundPath();
      sendJson(res, 200, list);
      return;
    }
    if (path === "/openapi/v2") {
      await this.requirePath(who, path);
      if (accept !== undefined && !accept.includes("json") && !accept.includes("*/*")) {
        throw new KubeStatusError(
          406,
          "NotAcceptable",
          `only the following media types are accepted: application/json`,
        );
      }
      sendJson(res, 200, openApiV2Document(this.options.version()));
      return;
    }
    if (path === "/openapi/v3") {
      await this.requirePath(who, path);
      sendJson(res, 200, openApiV3Index());
      return;
    }
    if (path.startsWith("/openapi/v3/")) {
      await this.requirePath(who, path);
      const doc = openApiV3Document(path.slice("/openapi/v3/".length), this.options.version());
      if (!doc) throw notFoundPath();
      sendJson(res, 200, doc);
      return;
    }

    const parsed = parseResourcePath(path);
    if (!parsed) {
      if (
        path.startsWith("/api") &&
        !GROUP_ORDER.some((g) => path.startsWith(`/apis/${g}`)) &&
        path.startsWith("/apis/")
      ) {
        throw notFoundPath();
      }
      throw notFoundPath();
    }
    const verb = verbOf(method, parsed, url.searchParams);
    if (verb === "")
      throw new KubeStatusError(
        405,
        "MethodNotAllowed",
        "the server does not allow this method on the requested resource",
      );
    const attrs: Attributes = {
      verb: parsed.subresource === "log" ? "get" : verb,
      group: parsed.resource.group,
      resource: parsed.resource.plural,
      ...(parsed.subresource !== undefined ? { subresource: parsed.subresource } : {}),
      ...(parsed.namespace !== undefined ? { namespace: parsed.namespace } : {}),
      ...(parsed.name !== undefined ? { name: parsed.name } : {}),
    };
    if (!(await authorize(who, attrs, this.options.storage))) throw forbidden(who, attrs);
    const table = wantsTable(accept);
    if (verb === "watch") {
      const closed = new AbortController();
      const stop = (): void => closed.abort();
      this.closing.signal.addEventListener("abort", stop, { once: true });
      try {
        await serveWatch(
          this.options.storage,
          {
            resource: parsed.resource,
            ...(parsed.namespace !== undefined ? { namespace: parsed.namespace } : {}),
            query: url.searchParams,
            table,
            now: this.options.now,
          },
          res,
          closed.signal,
        );
      } finally {
        this.closing.signal.removeEventListener("abort", stop);
      }
      return;
    }
    const body =
      method === "POST" || method === "PUT" || method === "PATCH" || method === "DELETE"
        ? await readBody(req)
        : undefined;
    const result = await handleResource(this.ctx, {
      verb,
      ...parsed,
      query: url.searchParams,
      ...(body !== undefined ? { body } : {}),
      contentType: req.headers["content-type"] ?? "application/json",
      table,
    });
    if (typeof result.body === "string") {
      res.writeHead(result.code, { "Content-Type": result.contentType ?? "text/plain" });
      res.end(result.body);
      return;
    }
    sendJson(res, result.code, result.body, undefined, url.searchParams.get("pretty") === "true");
  }

  private async requirePath(user: UserInfo, path: string): Promise<void> {
    const attrs: Attributes = { verb: "get", path };
    if (!(await authorize(user, attrs, this.options.storage))) throw forbidden(user, attrs);
  }
}

function sendJson(
  res: ServerResponse,
  code: number,
  body: Json,
  contentType = "application/json",
  pretty = false,
): void {
  const text = pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body);
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(
          new KubeStatusError(413, "RequestEntityTooLarge", "Request entity too large: limit is 3145728"),
        );
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function closeServer(server: https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}
