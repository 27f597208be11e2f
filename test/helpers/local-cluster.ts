// Local clusters for end-to-end tests: `talosctl cluster create` (the process provisioner) in
// a scratch HOME, on a loopback network of its own, and the CLI pointed at its talosconfig.
import path from "node:path";
import { type RunResult, runInProcess, TALOS_NODE, tempDir } from "./cli.js";
import { freeLoopbackCidr } from "./random.js";

export interface LocalCluster {
  readonly name: string;
  readonly home: string;
  readonly state: string;
  readonly cidr: string;
  /** Node addresses: control planes first. */
  readonly ips: string[];
  readonly created: RunResult;
  talosctl(args: readonly string[], extra?: Record<string, string | undefined>): Promise<RunResult>;
  destroy(): Promise<RunResult>;
}

export interface LocalClusterOptions {
  name?: string;
  controlplanes?: number;
  workers?: number;
  /** Extra `cluster create` flags. */
  args?: string[];
  /** Default 50. */
  timeScale?: number;
  /** A loopback /24 (default: a random free one). */
  cidr?: string;
}

export async function createLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const name = options.name ?? "test-local";
  const home = tempDir("talos-local-home-");
  const state = path.join(home, "clusters");
  const cps = options.controlplanes ?? 1;
  const workers = options.workers ?? 1;
  const cidr =
    options.cidr ?? (await freeLoopbackCidr({ count: cps + workers, name: `cidr of cluster ${name}` }));
  const base = cidr.replace(/\.0\/24$/, "");
  const ips = Array.from({ length: cps + workers }, (_, i) => `${base}.${i + 2}`);
  const env = (extra: Record<string, string | undefined> = {}) => ({
    HOME: home,
    PATH: process.env.PATH,
    TALOS_NODE_BIN: TALOS_NODE,
    ...extra,
  });
  const talosctl = (args: readonly string[], extra?: Record<string, string | undefined>) =>
    runInProcess(args, { cwd: home, home, env: env(extra) });
  const created = await talosctl([
    "cluster",
    "create",
    "--name",
    name,
    "--state",
    state,
    "--cidr",
    cidr,
    "--controlplanes",
    String(cps),
    "--workers",
    String(workers),
    "--time-scale",
    String(options.timeScale ?? 50),
    "--wait-timeout",
    "45s",
    ...(options.args ?? []),
  ]);
  return {
    name,
    home,
    state,
    cidr,
    ips,
    created,
    talosctl,
    destroy: () => talosctl(["cluster", "destroy", "--name", name, "--state", state]),
  };
}
