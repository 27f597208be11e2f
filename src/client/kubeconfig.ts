// Kubeconfig files as talosctl writes them (siderolabs/talos:
// cmd/talosctl/cmd/talos/kubeconfig.go): merging the cluster's admin kubeconfig into an existing
// one by name (clusters, users, contexts), with clashes renamed or overwritten, and the new context
// made current.
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { parseDocument } from "yaml";
import { errorMessage, UserError } from "../errors.js";
import { encodeYaml } from "../yaml/index.js";
import { readTar } from "./tar.js";

/** Where kubeconfigs merge by default: the first entry of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigPath(
  env: Readonly<Record<string, string | undefined>>,
  homedir: string,
): string {
  const fromEnv = (env.KUBECONFIG ?? "").split(path.delimiter).find((p) => p !== "");
  return fromEnv ?? path.join(homedir, ".kube", "config");
}

export interface NamedEntry {
  name: string;
  [key: string]: unknown;
}

export interface Kubeconfig {
  apiVersion?: string;
  kind?: string;
  clusters: NamedEntry[];
  users: NamedEntry[];
  contexts: NamedEntry[];
  "current-context"?: string;
  [key: string]: unknown;
}

/** The `kubeconfig` file inside the gzipped tar archive the Kubeconfig RPC streams. */
export async function kubeconfigFromArchive(archive: Uint8Array): Promise<string> {
  let tar: Buffer;
  try {
    tar = gunzipSync(archive);
  } catch (err) {
    throw new UserError(`the node sent an invalid kubeconfig archive: ${errorMessage(err)}`, {
      cause: err,
    });
  }
  let found: string | undefined;
  await readTar(
    (async function* () {
      yield tar;
    })(),
    async (header, data) => {
      if (header.name.replace(/^\.\//, "") !== "kubeconfig" || header.type !== "file") return;
      const chunks: Buffer[] = [];
      await data(async (c) => {
        chunks.push(c);
      });
      found = Buffer.concat(chunks).toString("utf8");
    },
  );
  if (found === undefined) throw new UserError("the node's kubeconfig archive has no kubeconfig file");
  return found;
}

/** Parses a kubeconfig; `where` names it in errors. */
export function parseKubeconfig(text: string, where: string): Kubeconfig {
  const doc = parseDocument(text);
  if (doc.errors.length > 0)
    throw new UserError(`${where}: invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}`);
  const data = (doc.toJS() ?? {}) as Record<string, unknown>;
  if (typeof data !== "object" || Array.isArray(data))
    throw new UserError(`${where}: not a kubeconfig (expected a mapping)`);
  const list = (key: string): NamedEntry[] => {
    const v = data[key];
    if (v === undefined || v === null) return [];
    if (
      !Array.isArray(v) ||
      v.some((e) => e === null || typeof e !== "object" || typeof e.name !== "string")
    ) {
      throw new UserError(`${where}: ${key} must be a list of named entries`);
    }
    return v as NamedEntry[];
  };
  return { ...data, clusters: list("clusters"), users: list("users"), contexts: list("contexts") };
}

/**
 * Encodes a kubeconfig as client-go's `clientcmd.Write` does (talosctl merges through it): the
 * config's JSON turned into YAML by sigs.k8s.io/yaml, so yaml.v2's layout at two spaces with
 * every mapping's keys sorted. client-go keeps clusters, users and contexts in maps, so they
 * come out sorted by name, and `preferences` and `current-context` are always written.
 */
export function encodeKubeconfig(config: Kubeconfig): string {
  const byName = (list: readonly NamedEntry[]): NamedEntry[] =>
    [...list].sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  return encodeYaml(
    {
      ...config,
      apiVersion: config.apiVersion ?? "v1",
      kind: config.kind ?? "Config",
      preferences: config.preferences ?? {},
      clusters: byName(config.clusters),
      users: byName(config.users),
      contexts: byName(config.contexts),
      "current-context": config["current-context"] ?? "",
    },
    { dialect: "yaml.v2", sortKeys: true },
  );
}

export type ClashChoice = "rename" | "overwrite";
export type ClashComponent = "cluster" | "auth" | "context";

export interface MergeOptions {
  /** Overwrite clashing entries instead of renaming them. */
  readonly force: boolean;
  /** Sets the merged context's name. */
  readonly contextName?: string;
  /** Asked for each clash when neither --force nor automatic renaming applies. */
  readonly ask?: (component: ClashComponent, name: string) => Promise<ClashChoice>;
  /** Told about each rename (`renamed cluster "x" -> "x-1"`). */
  readonly onRename?: (line: string) => void;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function freeName(taken: readonly NamedEntry[], name: string): string {
  for (let i = 1; ; i++) {
    const candidate = `${name}-${i}`;
    if (!taken.some((e) => e.name === candidate)) return candidate;
  }
}

const RENAME_WORD: Record<ClashComponent, string> = {
  cluster: "cluster",
  auth: "auth info",
  context: "context",
};

/** Merges `incoming` into `into` (changed in place); the incoming context becomes current. */
export async function mergeKubeconfig(
  into: Kubeconfig,
  incoming: Kubeconfig,
  options: MergeOptions,
): Promise<void> {
  const place = async (component: ClashComponent, list: NamedEntry[], entry: NamedEntry): Promise<string> => {
    const at = list.findIndex((e) => e.name === entry.name);
    if (at < 0) {
      list.push(entry);
      return entry.name;
    }
    if (same(list[at], entry)) return entry.name;
    const choice = options.force
      ? "overwrite"
      : options.ask
        ? await options.ask(component, entry.name)
        : "rename";
    if (choice === "overwrite") {
      list[at] = entry;
      return entry.name;
    }
    const renamed = freeName(list, entry.name);
    options.onRename?.(
      `renamed ${RENAME_WORD[component]} ${JSON.stringify(entry.name)} -> ${JSON.stringify(renamed)}`,
    );
    list.push({ ...entry, name: renamed });
    return renamed;
  };

  const clusterNames = new Map<string, string>();
  for (const c of incoming.clusters) clusterNames.set(c.name, await place("cluster", into.clusters, c));
  const userNames = new Map<string, string>();
  for (const u of incoming.users) userNames.set(u.name, await place("auth", into.users, u));
  let current = incoming["current-context"];
  for (const c of incoming.contexts) {
    const body = { ...((c.context as Record<string, unknown> | undefined) ?? {}) };
    if (typeof body.cluster === "string") body.cluster = clusterNames.get(body.cluster) ?? body.cluster;
    if (typeof body.user === "string") body.user = userNames.get(body.user) ?? body.user;
    const name = options.contextName ?? c.name;
    const placed = await place("context", into.contexts, { ...c, name, context: body });
    if (c.name === incoming["current-context"]) current = placed;
  }
  if (current !== undefined) into["current-context"] = current;
}
