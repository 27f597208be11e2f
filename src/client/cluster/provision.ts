// The process provisioner of `talosctl cluster`: one detached talos-node process per machine
// on loopback addresses of the cluster's CIDR, each with its STATE, log and pid under
// `<state>/<cluster>/<node>/`, sharing a discovery directory so that they form one cluster.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { errorMessage, UserError } from "../../errors.js";
import { writeFileAtomic } from "../../fsutil/index.js";
import { API_PORT } from "../../wire/index.js";

export const PROVISIONER = "process";
export const CLUSTER_FILE = "cluster.json";
export const DEFAULT_CLUSTER_NAME = "talos-default";
export const DEFAULT_CIDR = "127.5.0.0/24";
/**
 * Above this many nodes `cluster create` runs them all in one `talos-node --emulate` process
 * (unless `--emulate=false`), so that large clusters fit on one machine.
 */
export const EMULATE_THRESHOLD = 16;
/** Whether `cluster create` runs the nodes in one emulating process: as `--emulate` says, else by size. */
export function useEmulation(flag: boolean | undefined, nodeCount: number): boolean {
  return flag ?? nodeCount > EMULATE_THRESHOLD;
}

/** The shared process's directory (STATE under `state/<address>/`, log, pid) in an emulated cluster. */
export const EMULATION_DIR = "emulate";
/** How long `destroy` waits for a node to exit after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 5_000;

export interface NodeRecord {
  readonly name: string;
  readonly type: "controlplane" | "worker";
  readonly ip: string;
  /** Relative to the cluster directory. */
  readonly dir: string;
}

export interface ClusterRecord {
  readonly provisioner: typeof PROVISIONER;
  readonly name: string;
  readonly cidr: string;
  readonly gateway: string;
  readonly endpoint: string;
  readonly talosVersion: string;
  readonly kubernetesVersion: string;
  readonly nodes: readonly NodeRecord[];
  /**
   * Whether one `talos-node --emulate` process (in EMULATION_DIR) serves every node; each
   * node's directory then holds that process's pid and links to its STATE and log.
   */
  readonly emulated?: boolean;
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function checkClusterName(name: string): void {
  if (!NAME.test(name)) {
    throw new UserError(
      `--name ${JSON.stringify(name)}: expected a DNS label (lowercase letters, digits and dashes)`,
    );
  }
}

export function clusterDir(stateRoot: string, name: string): string {
  return path.join(stateRoot, name);
}

/** Host addresses of an IPv4 CIDR: the gateway (.1) and `count` nodes from .2 on. */
export function planAddresses(cidr: string, count: number): { gateway: string; nodes: string[] } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const bits = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || bits < 8 || bits > 30) {
    throw new UserError(`--cidr ${JSON.stringify(cidr)}: expected an IPv4 network such as ${DEFAULT_CIDR}`);
  }
  if (octets[0] !== 127) {
    throw new UserError(
      `--cidr ${JSON.stringify(cidr)}: the process provisioner runs nodes on loopback addresses; use a network inside 127.0.0.0/8`,
    );
  }
  const base = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  const network = (base & mask) >>> 0;
  const hosts = 2 ** (32 - bits) - 2;
  if (count + 1 > hosts) {
    throw new UserError(`--cidr ${cidr}: room for ${hosts - 1} nodes, ${count} requested`);
  }
  const ip = (n: number) => [24, 16, 8, 0].map((s) => ((n >>> s) & 0xff).toString()).join(".");
  return { gateway: ip(network + 1), nodes: Array.from({ length: count }, (_, i) => ip(network + 2 + i)) };
}

export function readClusterRecord(dir: string, name: string): ClusterRecord {
  const file = path.join(dir, CLUSTER_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new UserError(`cluster ${JSON.stringify(name)} not found: no state in ${JSON.stringify(dir)}`);
    }
    throw new UserError(`cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    return JSON.parse(text) as ClusterRecord;
  } catch (err) {
    throw new UserError(`${file}: invalid cluster state (${errorMessage(err)})`, { cause: err });
  }
}

export function writeClusterRecord(dir: string, record: ClusterRecord): void {
  writeFileAtomic(path.join(dir, CLUSTER_FILE), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

export interface LaunchOptions {
  /** The talos-node launcher (bin/talos-node). */
  readonly program: string;
  readonly clusterDir: string;
  readonly node: NodeRecord;
  readonly talosVersion: string;
  readonly extraArgs?: readonly string[];
}

/** Starts one detached talos-node; its pid goes to `<node>/pid`, its output to `<node>/talos-node.log`. */
export function launchNode(options: LaunchOptions): number {
  const dir = path.join(options.clusterDir, options.node.dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const log = fs.openSync(path.join(dir, "talos-node.log"), "a", 0o600);
  try {
    const child = spawn(
      process.execPath,
      [
        options.program,
        "--state-dir",
        path.join(dir, "state"),
        "--listen",
        `${options.node.ip}:${API_PORT}`,
        "--hostname",
        options.node.name,
        "--platform",
        "metal",
        "--talos-version",
        options.talosVersion,
        "--discovery-dir",
        path.join(options.clusterDir, "discovery"),
        ...(options.extraArgs ?? []),
      ],
      { detached: true, stdio: ["ignore", log, log] },
    );
    if (child.pid === undefined) throw new UserError(`cannot start talos-node for ${options.node.name}`);
    child.unref();
    fs.writeFileSync(path.join(dir, "pid"), `${child.pid}\n`, { mode: 0o600 });
    return child.pid;
  } finally {
    fs.closeSync(log);
  }
}

export interface EmulationLaunchOptions {
  readonly program: string;
  readonly clusterDir: string;
  readonly cidr: string;
  /** Every node of the cluster, in address order (.2, .3, ... of `cidr`). */
  readonly nodes: readonly NodeRecord[];
  readonly talosVersion: string;
  readonly extraArgs?: readonly string[];
}

/**
 * Starts one detached `talos-node --emulate` serving every node: its pid goes to
 * `emulate/pid` and to each node's `pid`; each node's `state` and `talos-node.log` link to its
 * STATE directory and to the shared log, so a node's directory looks as with one process each.
 */
export function launchEmulation(options: EmulationLaunchOptions): number {
  const dir = path.join(options.clusterDir, EMULATION_DIR);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const logFile = path.join(dir, "talos-node.log");
  const log = fs.openSync(logFile, "a", 0o600);
  let pid: number;
  try {
    const child = spawn(
      process.execPath,
      [
        options.program,
        "--state-dir",
        path.join(dir, "state"),
        "--emulate",
        String(options.nodes.length),
        "--cidr",
        options.cidr,
        "--port",
        String(API_PORT),
        "--hostnames",
        options.nodes.map((n) => n.name).join(","),
        "--platform",
        "metal",
        "--talos-version",
        options.talosVersion,
        "--discovery-dir",
        path.join(options.clusterDir, "discovery"),
        ...(options.extraArgs ?? []),
      ],
      { detached: true, stdio: ["ignore", log, log] },
    );
    if (child.pid === undefined) throw new UserError("cannot start talos-node --emulate");
    child.unref();
    pid = child.pid;
  } finally {
    fs.closeSync(log);
  }
  fs.writeFileSync(path.join(dir, "pid"), `${pid}\n`, { mode: 0o600 });
  for (const node of options.nodes) {
    const nodeDir = path.join(options.clusterDir, node.dir);
    fs.mkdirSync(nodeDir, { recursive: true, mode: 0o700 });
    fs.symlinkSync(path.join("..", EMULATION_DIR, "state", node.ip), path.join(nodeDir, "state"));
    fs.symlinkSync(path.join("..", EMULATION_DIR, "talos-node.log"), path.join(nodeDir, "talos-node.log"));
    fs.writeFileSync(path.join(nodeDir, "pid"), `${pid}\n`, { mode: 0o600 });
  }
  return pid;
}

/** Throws when the shared `talos-node --emulate` has exited (it could not listen, say), quoting its log. */
export function checkEmulationRunning(clusterDirPath: string, count: number, pid: number): void {
  if (alive(pid)) return;
  const log = path.join(clusterDirPath, EMULATION_DIR, "talos-node.log");
  const last = lastLine(log);
  throw new UserError(
    `talos-node --emulate (serving the cluster's ${count} nodes) exited${last !== "" ? `: ${last}` : ""} (log: ${log})`,
  );
}

function lastLine(file: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim().split("\n").at(-1) ?? "";
  } catch {
    return "";
  }
}

/** Throws when a launched node has exited (it could not listen, say), quoting its log. */
export function checkNodeRunning(clusterDirPath: string, node: NodeRecord, pid: number): void {
  if (alive(pid)) return;
  const log = path.join(clusterDirPath, node.dir, "talos-node.log");
  let last = "";
  try {
    last = fs.readFileSync(log, "utf8").trim().split("\n").at(-1) ?? "";
  } catch {
    // no log
  }
  throw new UserError(
    `talos-node of ${node.name} (${node.ip}) exited${last !== "" ? `: ${last}` : ""} (log: ${log})`,
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether `pid` is still the talos-node we started for this node (not a recycled pid). */
function isOurNode(pid: number, stateDir: string): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return cmdline.includes(stateDir);
  } catch {
    // no /proc (not Linux): trust the pid file
    return alive(pid);
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pid files under a cluster directory, each with the --state-dir its process was started
 * with: from its record, else every dir with a pid file. In an emulated cluster every node's
 * pid file names the one shared process (started with EMULATION_DIR's state).
 */
function pidFiles(dir: string): { name: string; pidFile: string; stateDir: string }[] {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dir, CLUSTER_FILE), "utf8")) as ClusterRecord;
    const shared = path.join(dir, EMULATION_DIR);
    const nodes = record.nodes.map((n) => ({
      name: n.name,
      pidFile: path.join(dir, n.dir, "pid"),
      stateDir: path.join(record.emulated === true ? shared : path.join(dir, n.dir), "state"),
    }));
    if (record.emulated !== true) return nodes;
    return [
      ...nodes,
      { name: EMULATION_DIR, pidFile: path.join(shared, "pid"), stateDir: path.join(shared, "state") },
    ];
  } catch {
    try {
      return fs
        .readdirSync(dir)
        .map((n) => path.join(dir, n))
        .filter((p) => fs.existsSync(path.join(p, "pid")))
        .map((p) => ({
          name: path.basename(p),
          pidFile: path.join(p, "pid"),
          stateDir: path.join(p, "state"),
        }));
    } catch {
      return [];
    }
  }
}

/**
 * Stops every node process that still runs (SIGTERM, then SIGKILL), each once even when it
 * serves several nodes; reports the nodes it destroys.
 */
export async function stopNodes(dir: string, report: (line: string) => void): Promise<void> {
  const running: { name: string; pid: number }[] = [];
  const seen = new Set<number>();
  for (const { name, pidFile, stateDir } of pidFiles(dir)) {
    const pid = readPid(pidFile);
    if (pid === undefined || !alive(pid) || !isOurNode(pid, stateDir)) continue;
    if (name !== EMULATION_DIR) report(`destroying node ${name}`);
    if (seen.has(pid)) continue;
    seen.add(pid);
    process.kill(pid, "SIGTERM");
    running.push({ name, pid });
  }
  const deadline = Date.now() + STOP_GRACE_MS;
  while (running.some((r) => alive(r.pid)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const r of running) {
    if (!alive(r.pid)) continue;
    try {
      process.kill(r.pid, "SIGKILL");
    } catch {
      // exited meanwhile
    }
  }
}

export function removeClusterDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
