// Shared pieces of the CLI lifecycle tests: configured nodes on a fast clock with a small image
// catalog (killed after each test), and readers of what the tracker printed.
import fs from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { tempDir } from "./cli.js";
import { type ConfiguredNode, startConfiguredNode } from "./cluster.js";
import { eventually, type TestCluster } from "./node.js";

/** A fast machine clock and a short reboot downtime (40 ms of real time). */
export const FAST = ["--time-scale", "50", "--downtime", "2s"];

export const BOOT_ID = "/proc/sys/kernel/random/boot_id";

/** v1.14.0 (the nodes' own), v1.15.0, and v1.15.1 whose installed system fails to boot. */
export function writeCatalog(): string {
  const file = path.join(tempDir("talos-catalog-"), "catalog.yaml");
  fs.writeFileSync(
    file,
    [
      "- ref: ghcr.io/siderolabs/installer:v1.14.0",
      "  version: v1.14.0",
      "- ref: ghcr.io/siderolabs/installer:v1.15.0",
      "  version: v1.15.0",
      "- ref: ghcr.io/siderolabs/installer:v1.15.1",
      "  version: v1.15.1",
      "  failBoot: true",
      "",
    ].join("\n"),
  );
  return file;
}

export interface NodePool {
  /** A configured node; `extra` flags replace the FAST ones of the same name. */
  node(extra?: string[], keep?: "test" | "block"): Promise<ConfiguredNode>;
  /** Kills the nodes of the test that ended (afterEach). */
  endTest(): Promise<void>;
  /** Kills every node (afterAll). */
  endAll(): Promise<void>;
}

/** SIGKILL: a node kept down by a long --downtime, or powered off, need not answer SIGTERM. */
export function nodePool(cluster: () => TestCluster, catalog: () => string): NodePool {
  let perTest: ConfiguredNode[] = [];
  const shared: ConfiguredNode[] = [];
  return {
    async node(extra = [], keep = "test") {
      const flags = new Map<string, string>();
      const base = [...FAST, "--image-catalog", catalog(), ...extra];
      for (let i = 0; i < base.length; i += 2) flags.set(base[i]!, base[i + 1]!);
      const n = await startConfiguredNode({ cluster: cluster(), args: [...flags].flat() });
      (keep === "test" ? perTest : shared).push(n);
      return n;
    },
    async endTest() {
      const nodes = perTest;
      perTest = [];
      await Promise.all(nodes.map((n) => n.node.kill()));
    },
    async endAll() {
      await Promise.all([...shared, ...perTest].map((n) => n.node.kill()));
    },
  };
}

/** Resolves once the node finished booting (stage running), e.g. before an upgrade. */
export async function waitRunning(n: ConfiguredNode, timeoutMs = 60_000): Promise<void> {
  await eventually(
    async () => {
      const r = await n.talosctl(["get", "machinestatus", "-o", "jsonpath={.spec.stage}"]);
      expect(r.stdout.trim()).toBe("running");
    },
    timeoutMs,
    100,
  );
}

export async function bootId(n: ConfiguredNode): Promise<string> {
  const r = await n.talosctl(["read", BOOT_ID]);
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

/** The Talos version the node reports. */
export async function version(n: ConfiguredNode): Promise<string> {
  const r = await n.talosctl(["version", "--short"]);
  const m = /Tag:\s+(\S+)/.exec(r.stdout.split("Server:")[1] ?? "");
  return m?.[1] ?? `${r.stdout}${r.stderr}`;
}

/**
 * Lines printed for a node (stderr is not a terminal in these runs): the tracker's with the node
 * in Go's quotes (`"127.0.0.1": ...`), the command's own steps with it bare.
 */
export function lines(stderr: string, node = "127.0.0.1"): string[] {
  const quoted = `${JSON.stringify(node)}: `;
  const bare = `${node}: `;
  return stderr
    .split("\n")
    .filter((l) => l.startsWith(quoted) || l.startsWith(bare))
    .map((l) => l.slice(l.startsWith(quoted) ? quoted.length : bare.length));
}
