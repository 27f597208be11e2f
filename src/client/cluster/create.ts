// Creating a local cluster with the process provisioner: the state directory and record, the
// configs (generated while the nodes start), one talos-node per machine (or one emulating
// process), each configured through its maintenance API, etcd bootstrapped, the talosconfig
// context merged, the health checks waited for, and the admin kubeconfig merged.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  encodeClientConfig,
  formatRename,
  mergeClientConfig,
  parseClientConfig,
  resolveContext,
  updateClientConfig,
} from "../../clientconfig/index.js";
import {
  type ConfigPatches,
  DEFAULT_INSTALL_DISK,
  type GenerateOptions,
  gates,
  generateConfigs,
} from "../../config/generate/index.js";
import { UserError } from "../../errors.js";
import { writeFileAtomic } from "../../fsutil/index.js";
import { emulationProcesses } from "../../wire/index.js";
import { ApplyMode, applyConfiguration } from "../apply.js";
import { createTalosClient, type TalosClient } from "../client.js";
import { toRpcError } from "../errors.js";
import { encodeKubeconfig, kubeconfigFromArchive, mergeKubeconfig, parseKubeconfig } from "../kubeconfig.js";
import { credentialsFromContext, maintenanceCredentials } from "../tls.js";
import {
  type ClusterRecord,
  checkEmulationRunning,
  checkNodeRunning,
  clusterDir,
  launchEmulation,
  launchNode,
  type NodeRecord,
  PROVISIONER,
  planAddresses,
  removeClusterDir,
  stopNodes,
  useEmulation,
  writeClusterRecord,
} from "./provision.js";
import type { ReporterStream } from "./reporter.js";
import { HealthError, runClusterHealth } from "./run-health.js";

/** How long a node may take to answer on its maintenance API after it was started. */
export const NODE_START_TIMEOUT_MS = 60_000;
/** Pause between attempts while a node starts. */
const RETRY_MS = 100;
/** Nodes configured at once by `cluster create`. */
const APPLY_CONCURRENCY = 32;
/** The try-mode timeout sent with each node's first config (unused by AUTO, required on the wire). */
const APPLY_TRY_TIMEOUT_NS = 60_000_000_000n;

/** Where the steps of a creation are told: provisioner lines, milestones, health progress. */
export interface CreateReporter {
  /** Provisioner messages (talosctl prints them on stderr). */
  info(line: string): void;
  /** Milestones (talosctl prints them on stdout). */
  step(line: string): void;
  /** The live health display. */
  readonly health: ReporterStream;
}

/** Time as the creation sees it; tests may speed it up. */
export interface CreateClock {
  now(): Date;
  /** Milliseconds of a monotonic clock. */
  monotonic(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const SYSTEM_CLOCK: CreateClock = {
  now: () => new Date(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
      signal.addEventListener("abort", done, { once: true });
    }),
};

export interface CreateClusterOptions {
  readonly name: string;
  readonly stateRoot: string;
  readonly controlPlanes: number;
  readonly workers: number;
  readonly cidr: string;
  readonly talosVersion: string;
  /** The config contract the generated configs follow (from the Talos version). */
  readonly contract: GenerateOptions["contract"];
  readonly kubernetesVersion: string;
  readonly patches: ConfigPatches;
  /** Run every node in one emulating process; by size when undefined. */
  readonly emulate?: boolean;
  readonly timeScale?: number;
  /** The talos-node program to start. */
  readonly program: string;
  /** Wait this long for the cluster to be healthy; skip the wait when undefined. */
  readonly healthTimeoutMs?: number;
  /** Merge the admin kubeconfig here; skip when undefined. */
  readonly kubeconfigPath?: string;
  /** The talosconfig to merge the cluster's context into, found by the usual rules. */
  readonly talosconfig: {
    readonly path?: string | undefined;
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly homedir: string;
    readonly cwd: string;
  };
  readonly reporter: CreateReporter;
  readonly clock?: CreateClock;
  readonly signal: AbortSignal;
}

/** Checks the counts of a creation request before anything is touched. */
export function checkNodeCounts(controlPlanes: number, workers: number): void {
  if (!Number.isInteger(controlPlanes) || controlPlanes < 1) {
    throw new UserError(`--controlplanes: expected at least 1 (got ${controlPlanes})`);
  }
  if (!Number.isInteger(workers) || workers < 0) {
    throw new UserError(`--workers: expected 0 or more (got ${workers})`);
  }
}

export async function createCluster(options: CreateClusterOptions): Promise<ClusterRecord> {
  const { name, reporter, signal } = options;
  const clock = options.clock ?? SYSTEM_CLOCK;
  checkNodeCounts(options.controlPlanes, options.workers);
  const plan = planAddresses(options.cidr, options.controlPlanes + options.workers);
  const dir = clusterDir(options.stateRoot, name);
  if (fs.existsSync(dir)) {
    throw new UserError(
      `cluster ${JSON.stringify(name)} already exists: state directory ${JSON.stringify(dir)}; destroy it first with "talosctl cluster destroy --name ${name}"`,
    );
  }
  const nodes: NodeRecord[] = plan.nodes.map((ip, i) => {
    const cp = i < options.controlPlanes;
    const nodeName = cp ? `${name}-controlplane-${i + 1}` : `${name}-worker-${i - options.controlPlanes + 1}`;
    return { name: nodeName, type: cp ? "controlplane" : "worker", ip, dir: nodeName };
  });
  const first = nodes[0]!;
  const controlPlaneIps = nodes.filter((n) => n.type === "controlplane").map((n) => n.ip);
  const workerIps = nodes.filter((n) => n.type === "worker").map((n) => n.ip);
  const emulated = useEmulation(options.emulate, nodes.length);
  const record: ClusterRecord = {
    provisioner: PROVISIONER,
    name,
    cidr: options.cidr,
    gateway: plan.gateway,
    // The gateway address, as the QEMU provisioner's load balancer: every control plane's API
    // server competes for it, so the endpoint answers while any control plane is up.
    endpoint: `https://${plan.gateway}:6443`,
    talosVersion: options.talosVersion,
    kubernetesVersion: options.kubernetesVersion,
    nodes,
    ...(emulated ? { emulated: true } : {}),
  };

  reporter.info(`creating state directory in ${JSON.stringify(dir)}`);
  fs.mkdirSync(options.stateRoot, { recursive: true, mode: 0o700 });
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UserError(
        `cluster ${JSON.stringify(name)} already exists: state directory ${JSON.stringify(dir)}`,
      );
    }
    throw e;
  }
  writeClusterRecord(dir, record);

  // Keys are generated while the node processes start.
  const generating = generateConfigs({
    clusterName: name,
    endpoint: record.endpoint,
    contract: options.contract,
    kubernetesVersion: options.kubernetesVersion,
    // The emulated nodes are metal machines: until 1.14 (UnattendedInstallConfig) their config
    // must name the install disk, their system disk; from 1.14 the install section is optional.
    installDisk:
      options.contract === undefined || gates.multidocKubernetes(options.contract)
        ? ""
        : DEFAULT_INSTALL_DISK,
    patches: options.patches,
    now: clock.now(),
  });
  generating.catch(() => undefined);

  const extraArgs = options.timeScale !== undefined ? ["--time-scale", String(options.timeScale)] : [];
  const launch = { program: options.program, clusterDir: dir, talosVersion: options.talosVersion, extraArgs };
  const pids = new Map<string, number>();
  if (emulated) {
    const processes = emulationProcesses(nodes.length, os.availableParallelism());
    reporter.info(
      processes === 1
        ? `creating ${nodes.length} nodes in one talos-node --emulate process`
        : `creating ${nodes.length} nodes in talos-node --emulate, spread over ${processes} processes`,
    );
    const pid = launchEmulation({ ...launch, cidr: options.cidr, nodes });
    for (const n of nodes) pids.set(n.name, pid);
  } else {
    reporter.info("creating controlplane nodes");
    for (const n of nodes.filter((x) => x.type === "controlplane"))
      pids.set(n.name, launchNode({ ...launch, node: n }));
    if (workerIps.length > 0) reporter.info("creating worker nodes");
    for (const n of nodes.filter((x) => x.type === "worker"))
      pids.set(n.name, launchNode({ ...launch, node: n }));
  }
  let generated: Awaited<typeof generating>;
  try {
    generated = await generating;
  } catch (e) {
    // Nothing is left behind when the configs cannot be made (a patch that does not apply).
    await stopNodes(dir, () => undefined);
    removeClusterDir(dir);
    throw e;
  }
  writeFileAtomic(path.join(dir, "controlplane.yaml"), generated.controlplane, { mode: 0o600 });
  writeFileAtomic(path.join(dir, "worker.yaml"), generated.worker, { mode: 0o600 });
  const clientConfig = parseClientConfig(generated.talosconfig, "the generated talosconfig");
  for (const context of Object.values(clientConfig.contexts)) {
    context.endpoints = controlPlaneIps;
    context.nodes = [first.ip];
  }
  writeFileAtomic(path.join(dir, "talosconfig"), encodeClientConfig(clientConfig), { mode: 0o600 });

  const running = (n: NodeRecord) => () =>
    emulated
      ? checkEmulationRunning(dir, nodes.length, pids.get(n.name)!)
      : checkNodeRunning(dir, n, pids.get(n.name)!);
  const retry = <T>(what: string, fn: () => Promise<T>, check?: () => void): Promise<T> =>
    retryUntil({ clock, signal, timeoutMs: NODE_START_TIMEOUT_MS, what, fn, ...(check ? { check } : {}) });

  const hint = `; the cluster's processes keep running: "talosctl cluster destroy --name ${name}" removes them`;
  try {
    reporter.step("applying configuration to the cluster nodes");
    // One short-lived maintenance connection per attempt: a node restarts its API into mTLS
    // right after it accepts its config, so an idle connection to it is not kept.
    const applyOnce = async (n: NodeRecord): Promise<void> => {
      const insecure = createTalosClient({
        endpoints: [],
        direct: true,
        tls: maintenanceCredentials(),
        signal,
      });
      try {
        await applyConfiguration(insecure.forNode(n.ip), {
          data: n.type === "controlplane" ? generated.controlplane : generated.worker,
          mode: ApplyMode.AUTO,
          dryRun: false,
          tryModeTimeout: APPLY_TRY_TIMEOUT_NS,
        });
      } finally {
        insecure.close();
      }
    };
    // A bounded number of nodes at once, in address order (the order they come up in), so
    // that a large cluster's nodes still starting are not polled all together.
    let accepted = clock.monotonic();
    let next = 0;
    let failed = false;
    const configure = async (): Promise<void> => {
      while (!failed && next < nodes.length) {
        const n = nodes[next++]!;
        try {
          await retryUntil({
            clock,
            signal,
            timeoutMs: NODE_START_TIMEOUT_MS,
            what: `node ${n.name} (${n.ip}) did not accept its configuration`,
            fn: async () => {
              await applyOnce(n);
              accepted = clock.monotonic();
            },
            check: running(n),
            progress: () => accepted,
          });
        } catch (e) {
          failed = true;
          throw e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(APPLY_CONCURRENCY, nodes.length) }, configure));

    const context = resolveContext(clientConfig, clientConfig.context);
    const client = createTalosClient({ endpoints: [first.ip], tls: credentialsFromContext(context), signal });
    try {
      reporter.step("waiting for Talos API (to bootstrap the cluster)");
      await retry(
        `the Talos API of ${first.ip} did not come up`,
        () => client.forNode(first.ip).machine.version({}),
        running(first),
      );
      reporter.step("bootstrapping cluster");
      await retry("bootstrap failed", () => client.forNode(first.ip).machine.bootstrap({}));

      const { value: renames } = await updateClientConfig(options.talosconfig, (config) =>
        mergeClientConfig(config, clientConfig),
      );
      for (const r of renames) reporter.info(`renamed talosconfig context ${formatRename(r)}`);

      if (options.healthTimeoutMs !== undefined) {
        await runClusterHealth({
          client,
          node: first.ip,
          server: true,
          timeoutMs: options.healthTimeoutMs,
          controlPlanes: controlPlaneIps,
          workers: workerIps,
          out: reporter.health,
          signal,
          live: true,
        });
      }
      if (options.kubeconfigPath !== undefined) {
        await mergeAdminKubeconfig(client, first.ip, options.kubeconfigPath, reporter);
      }
    } finally {
      client.close();
    }
  } catch (e) {
    if (e instanceof HealthError || e instanceof UserError)
      throw new UserError(`${e.message}${hint}`, { cause: e });
    throw e;
  }
  return record;
}

async function mergeAdminKubeconfig(
  client: TalosClient,
  node: string,
  target: string,
  reporter: CreateReporter,
): Promise<void> {
  reporter.info(`\nmerging kubeconfig into ${JSON.stringify(target)}`);
  const chunks: Uint8Array[] = [];
  for await (const msg of client.forNode(node).machine.kubeconfig({})) chunks.push(msg.bytes);
  const incoming = parseKubeconfig(
    await kubeconfigFromArchive(Buffer.concat(chunks)),
    "the kubeconfig from the node",
  );
  let existing = parseKubeconfig("{}", target);
  if (fs.existsSync(target)) existing = parseKubeconfig(fs.readFileSync(target, "utf8"), target);
  await mergeKubeconfig(existing, incoming, { force: false, onRename: (line) => reporter.info(line) });
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
  writeFileAtomic(target, encodeKubeconfig(existing), { mode: 0o600 });
}

interface RetryOptions<T> {
  readonly clock: CreateClock;
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly what: string;
  readonly fn: () => Promise<T>;
  /** Runs before each attempt; throws to give up (e.g. the node's process died). */
  readonly check?: () => void;
  /**
   * When (monotonic ms) the work this attempt is part of last made progress, e.g. another node
   * of the cluster accepting its config: the timeout counts from then, so a large cluster that
   * keeps coming up is waited for while one that stalls is not.
   */
  readonly progress?: () => number;
}

/** Retries `fn` until it succeeds, the signal fires or `timeoutMs` passes without progress. */
export async function retryUntil<T>(options: RetryOptions<T>): Promise<T> {
  const started = options.clock.monotonic();
  for (;;) {
    options.check?.();
    try {
      return await options.fn();
    } catch (e) {
      if (options.signal.aborted) throw e;
      const deadline = Math.max(started, options.progress?.() ?? started) + options.timeoutMs;
      if (options.clock.monotonic() > deadline) {
        throw new UserError(`${options.what}: ${toRpcError(e).message}`, { cause: e });
      }
      await options.clock.sleep(RETRY_MS, options.signal);
    }
  }
}
