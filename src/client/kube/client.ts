// A small Kubernetes API client for what talosctl does through Kubernetes (drain, upgrade-k8s,
// health): JSON requests over HTTPS with the admin kubeconfig's CA and client certificate (or
// token), Kubernetes `Status` failures turned into errors that keep the code and reason, and
// watches read line by line. The admin kubeconfig comes from a control plane over the Talos API,
// as talosctl gets it, with its server optionally replaced (`--endpoint`).
import https from "node:https";
import { TalosError } from "../../errors.js";
import type { NodeClient } from "../client.js";
import { kubeconfigFromArchive, parseKubeconfig } from "../kubeconfig.js";

export type Json = Record<string, unknown>;

/** How long one request may take (client-go's default is none; talosctl's operations bound it). */
export const KUBE_REQUEST_TIMEOUT_MS = 30_000;

export interface KubeCredentials {
  readonly server: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly token?: string;
}

/** A failed Kubernetes request: the HTTP code and the Status reason and message. */
export class KubeApiError extends TalosError {
  override readonly name = "KubeApiError";
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    readonly body?: Json,
  ) {
    super(
      status === 404
        ? "not-found"
        : status === 409
          ? "already-exists"
          : status === 401
            ? "unauthenticated"
            : status === 403
              ? "permission-denied"
              : "unknown",
      message,
    );
  }
}

const b64 = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? Buffer.from(v, "base64").toString("utf8") : undefined;

/** The credentials of a kubeconfig's current context. */
export function credentialsFromKubeconfig(text: string, where = "kubeconfig"): KubeCredentials {
  const config = parseKubeconfig(text, where);
  const current = config["current-context"];
  const context = (config.contexts.find((c) => c.name === current) ?? config.contexts[0])?.context as
    | Json
    | undefined;
  const cluster = config.clusters.find((c) => c.name === context?.cluster)?.cluster as Json | undefined;
  const user = config.users.find((u) => u.name === context?.user)?.user as Json | undefined;
  if (!cluster || typeof cluster.server !== "string")
    throw new TalosError("invalid", `${where}: no cluster server in the current context`);
  const ca = b64(cluster["certificate-authority-data"]);
  const cert = b64(user?.["client-certificate-data"]);
  const key = b64(user?.["client-key-data"]);
  return {
    server: cluster.server,
    ...(ca ? { ca } : {}),
    ...(cert ? { cert } : {}),
    ...(key ? { key } : {}),
    ...(typeof user?.token === "string" ? { token: user.token } : {}),
  };
}

/** The admin kubeconfig of the cluster, fetched from a control plane over the Talos API. */
export async function fetchAdminKubeconfig(node: NodeClient): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const msg of node.machine.kubeconfig({})) chunks.push(msg.bytes);
  return kubeconfigFromArchive(Buffer.concat(chunks));
}

export interface RequestOptions {
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly signal?: AbortSignal;
}

export interface WatchEvent {
  readonly type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  readonly object: Json;
}

export class KubeClient {
  private readonly agent: https.Agent;
  private readonly base: URL;

  constructor(private readonly creds: KubeCredentials) {
    this.base = new URL(creds.server);
    this.agent = new https.Agent({
      keepAlive: true,
      ...(creds.ca ? { ca: creds.ca } : {}),
      ...(creds.cert ? { cert: creds.cert } : {}),
      ...(creds.key ? { key: creds.key } : {}),
    });
  }

  get server(): string {
    return this.creds.server;
  }

  close(): void {
    this.agent.destroy();
  }

  private url(path: string, query?: RequestOptions["query"]): URL {
    const u = new URL(path, this.base);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u;
  }

  private headers(contentType?: string): Record<string, string> {
    return {
      Accept: "application/json",
      "User-Agent": "talosctl",
      ...(contentType ? { "Content-Type": contentType } : {}),
      ...(this.creds.token ? { Authorization: `Bearer ${this.creds.token}` } : {}),
    };
  }

  /** One request; resolves with the decoded JSON body, rejects with KubeApiError on a failure status. */
  request(method: string, path: string, options: RequestOptions = {}): Promise<Json> {
    const body =
      options.body === undefined
        ? undefined
        : typeof options.body === "string"
          ? options.body
          : JSON.stringify(options.body);
    const url = this.url(path, options.query);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          headers: this.headers(body !== undefined ? (options.contentType ?? "application/json") : undefined),
          timeout: KUBE_REQUEST_TIMEOUT_MS,
          ...(options.signal ? { signal: options.signal } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let parsed: Json | undefined;
            try {
              parsed = text === "" ? {} : (JSON.parse(text) as Json);
            } catch {
              parsed = undefined;
            }
            const code = res.statusCode ?? 0;
            if (code >= 200 && code < 300) {
              resolve(parsed ?? { text });
              return;
            }
            const message =
              typeof parsed?.message === "string" ? parsed.message : text.trim() || `HTTP ${code}`;
            reject(
              new KubeApiError(
                code,
                typeof parsed?.reason === "string" ? parsed.reason : "",
                message,
                parsed,
              ),
            );
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () =>
        req.destroy(new TalosError("deadline-exceeded", `${method} ${url.pathname}: timed out`)),
      );
      req.on("error", (err) =>
        reject(
          err instanceof TalosError
            ? err
            : new TalosError("unavailable", `${method} ${url.href}: ${err.message}`, { cause: err }),
        ),
      );
      if (body !== undefined) req.write(body);
      req.end();
    });
  }

  get(path: string, query?: RequestOptions["query"]): Promise<Json> {
    return this.request("GET", path, query ? { query } : {});
  }

  /** Streams a watch; resolves when it ends (the server's timeout or the signal). */
  watch(
    path: string,
    query: RequestOptions["query"],
    onEvent: (e: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const url = this.url(path, { ...query, watch: "true" });
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        { method: "GET", agent: this.agent, headers: this.headers(), signal },
        (res) => {
          if ((res.statusCode ?? 0) >= 300) {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("end", () =>
              reject(new KubeApiError(res.statusCode ?? 0, "", Buffer.concat(chunks).toString("utf8"))),
            );
            return;
          }
          let pending = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            pending += c;
            let nl = pending.indexOf("\n");
            while (nl >= 0) {
              const line = pending.slice(0, nl);
              pending = pending.slice(nl + 1);
              if (line.trim() !== "") onEvent(JSON.parse(line) as WatchEvent);
              nl = pending.indexOf("\n");
            }
          });
          res.on("end", () => resolve());
          res.on("error", (err) => (signal.aborted ? resolve() : reject(err)));
        },
      );
      req.on("error", (err) =>
        signal.aborted
          ? resolve()
          : reject(new TalosError("unavailable", `watch ${url.pathname}: ${err.message}`, { cause: err })),
      );
      req.end();
    });
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}
