// talosctl's Kubernetes client for the support bundle: the admin kubeconfig from the first
// node, then a request for the kube-system namespace to see that the API answers. Failures
// read as client-go's (`Get "<url>": dial tcp <addr>: connect: connection refused`).
import https from "node:https";
import type { NodeClient } from "../client.js";
import { kubeconfigFromArchive, parseKubeconfig } from "../kubeconfig.js";

/** How long the reachability check may take. */
const KUBERNETES_CHECK_MS = 10_000;

export interface KubernetesApi {
  /** GET a path of the API as parsed JSON. */
  get(path: string): Promise<unknown>;
}

interface Access {
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function request(access: Access, path: string, signal: AbortSignal): Promise<unknown> {
  const url = new URL(path, access.server);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: "GET",
        ...(access.ca ? { ca: access.ca } : {}),
        ...(access.cert ? { cert: access.cert } : {}),
        ...(access.key ? { key: access.key } : {}),
        timeout: KUBERNETES_CHECK_MS,
        signal,
        headers: { accept: "application/json" },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => {
          const text = Buffer.concat(parts).toString("utf8");
          if ((res.statusCode ?? 0) >= 400) {
            reject(
              new Error(
                `the server responded with the status code ${res.statusCode} (${text.trim().slice(0, 200)})`,
              ),
            );
            return;
          }
          try {
            resolve(JSON.parse(text));
          } catch (err) {
            reject(err);
          }
        });
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("i/o timeout"), { code: "ETIMEDOUT" })));
    req.on("error", (err: NodeJS.ErrnoException) => {
      const addr = `${url.hostname}:${url.port || "443"}`;
      const why =
        err.code === "ECONNREFUSED"
          ? `dial tcp ${addr}: connect: connection refused`
          : err.code === "ETIMEDOUT"
            ? `dial tcp ${addr}: i/o timeout`
            : err.message;
      reject(new Error(`Get ${JSON.stringify(url.toString())}: ${why}`));
    });
    req.end();
  });
}

/** A client for the cluster's Kubernetes API, or the error talosctl reports. */
export async function kubernetesClient(node: NodeClient, signal: AbortSignal): Promise<KubernetesApi> {
  const parts: Uint8Array[] = [];
  for await (const m of node.machine.kubeconfig({}, { signal })) parts.push(m.bytes);
  const config = parseKubeconfig(await kubeconfigFromArchive(Buffer.concat(parts)), "kubeconfig");
  const context = config.contexts.find((c) => c.name === config["current-context"]) ?? config.contexts[0];
  const ctxData = (context?.context ?? {}) as { cluster?: string; user?: string };
  const cluster = (config.clusters.find((c) => c.name === ctxData.cluster)?.cluster ?? {}) as Record<
    string,
    string
  >;
  const user = (config.users.find((u) => u.name === ctxData.user)?.user ?? {}) as Record<string, string>;
  const b = (v: string | undefined) => (v ? Buffer.from(v, "base64") : undefined);
  const access: Access = {
    server: cluster.server ?? "",
    ...(b(cluster["certificate-authority-data"]) ? { ca: b(cluster["certificate-authority-data"])! } : {}),
    ...(b(user["client-certificate-data"]) ? { cert: b(user["client-certificate-data"])! } : {}),
    ...(b(user["client-key-data"]) ? { key: b(user["client-key-data"])! } : {}),
  };
  await request(access, "/api/v1/namespaces/kube-system", signal);
  return { get: (path) => request(access, path, signal) };
}
