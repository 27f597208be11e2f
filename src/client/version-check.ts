// The client/server version check some commands run first (siderolabs/talos:
// cmd/talosctl/pkg/talos/helpers/checks.go): servers older than the client earn one WARNING line; a
// server whose version cannot be read is that node's error.
import type { TalosClient } from "./client.js";
import { NodeError } from "./errors.js";
import { fanOut } from "./fanout.js";

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  readonly prerelease: readonly (string | number)[];
}

/**
 * A tolerant semver reader: a leading `v`, missing minor/patch parts and build metadata are
 * accepted. Returns undefined for text that is not a version.
 */
export function parseVersion(text: string): SemVer | undefined {
  const m = /^\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?\s*$/.exec(text);
  if (!m) return undefined;
  const prerelease = m[4] === undefined ? [] : m[4].split(".").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  if (prerelease.some((p) => p === "")) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0), patch: Number(m[3] ?? 0), prerelease };
}

/** Semver 2.0 precedence. */
export function compareVersions(a: SemVer, b: SemVer): number {
  for (const k of ["major", "minor", "patch"] as const) {
    if (a[k] !== b[k]) return a[k] - b[k];
  }
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    return (a.prerelease.length === 0 ? 1 : 0) - (b.prerelease.length === 0 ? 1 : 0);
  }
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    if (typeof x === "number" && typeof y === "number") return x - y;
    if (typeof x === "number") return -1;
    if (typeof y === "number") return 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function formatVersion(v: SemVer): string {
  const pre = v.prerelease.length > 0 ? `-${v.prerelease.join(".")}` : "";
  return `${v.major}.${v.minor}.${v.patch}${pre}`;
}

export interface VersionCheckResult {
  /** The `WARNING: ...` line (without newline) when some servers are older; else undefined. */
  readonly warning?: string;
  /** Nodes whose version could not be read or parsed, with the error to report. */
  readonly failed: ReadonlyMap<string, NodeError>;
}

/** Asks every node for its version and compares it with the client's tag. */
export async function checkServerVersions(
  client: TalosClient,
  nodes: readonly string[],
  clientTag: string,
): Promise<VersionCheckResult> {
  const mine = parseVersion(clientTag);
  const older: string[] = [];
  const failed = new Map<string, NodeError>();
  const results = await fanOut(
    nodes,
    async (node) => {
      const reply = await client.forNode(node).machine.version({});
      return reply.messages[0]?.version?.tag ?? "";
    },
    { signal: client.signal },
  );
  // Report in the order the nodes were given, not the order they answered.
  const byNode = new Map(results.map((r) => [r.node, r]));
  for (const node of nodes) {
    const r = byNode.get(node)!;
    if (!r.ok) {
      failed.set(node, new NodeError(node, `${node}: error getting server version: ${r.error.message}`));
      continue;
    }
    const theirs = parseVersion(r.value);
    if (!theirs) {
      failed.set(
        node,
        new NodeError(node, `${node}: error parsing server version: "${r.value}" is not a semantic version`),
      );
      continue;
    }
    if (mine && compareVersions(theirs, mine) < 0) {
      older.push(
        `${node}: server version ${formatVersion(theirs)} is older than client version ${formatVersion(mine)}`,
      );
    }
  }
  return { ...(older.length > 0 ? { warning: `WARNING: ${older.join(", ")}` } : {}), failed };
}
