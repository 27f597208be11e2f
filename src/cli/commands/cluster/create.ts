// talosctl cluster create: a local cluster of talos-node processes (the `process` provisioner):
// configs generated, nodes started and configured through the maintenance API, etcd
// bootstrapped, the talosconfig merged, and the cluster waited for until healthy (cli.md §6.7).
import fs from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import {
  type ClusterRecord,
  checkEmulationRunning,
  checkNodeRunning,
  clusterDir,
  DEFAULT_CIDR,
  EMULATE_THRESHOLD,
  HealthError,
  launchEmulation,
  launchNode,
  type NodeRecord,
  PROVISIONER,
  planAddresses,
  removeClusterDir,
  runClusterHealth,
  stopNodes,
  useEmulation,
  writeClusterRecord,
} from "../../../client/cluster/index.js";
import {
  ApplyMode,
  applyConfiguration,
  createTalosClient,
  credentialsFromContext,
  encodeKubeconfig,
  kubeconfigFromArchive,
  maintenanceCredentials,
  mergeKubeconfig,
  parseKubeconfig,
  type TalosClient,
  toRpcError,
} from "../../../client/index.js";
import {
  encodeClientConfig,
  formatRename,
  mergeClientConfig,
  parseClientConfig,
  resolveContext,
  updateClientConfig,
} from "../../../clientconfig/index.js";
import { generateConfigs, loadConfigPatches, parseTalosVersion } from "../../../config/generate/index.js";
import { UserError } from "../../../errors.js";
import { writeFileAtomic } from "../../../fsutil/index.js";
import { DEFAULT_KUBERNETES_VERSION, TALOS_VERSION } from "../../../version.js";
import { parseDurationFlag } from "../../../wire/index.js";
import { bool, defineCommand, num, str, strs } from "../../command.js";
import type { CliContext } from "../../context.js";
import { defaultKubeconfigPath } from "../kubeconfig/kubeconfig.js";
import { clusterFlags, clusterOptions } from "./flags.js";
import { renderCluster } from "./show.js";

/** How long a node may take to answer on its maintenance API after it was started. */
const NODE_START_TIMEOUT_MS = 60_000;
const RETRY_MS = 100;

export const command = defineCommand({
  examples: [
    ["$0", "one control plane and one worker named talos-default"],
    ["$0 --name demo --controlplanes 3 --workers 2", "a bigger cluster"],
    ["$0 --config-patch @patch.yaml", "patch every node's config"],
    ["$0 --emulate --controlplanes 3 --workers 40", "a large cluster served by one talos-node process"],
  ],
  builder: (y: Argv) =>
    clusterFlags(y)
      .option("controlplanes", { type: "number", default: 1, describe: "the number of control plane nodes" })
      .option("workers", { type: "number", default: 1, describe: "the number of worker nodes" })
      .option("cidr", {
        type: "string",
        default: DEFAULT_CIDR,
        describe: "the network of the nodes (loopback)",
      })
      .option("talos-version", {
        type: "string",
        default: TALOS_VERSION,
        describe: "the Talos version the nodes run",
      })
      .option("kubernetes-version", {
        type: "string",
        default: DEFAULT_KUBERNETES_VERSION,
        describe: "the Kubernetes version",
      })
      .option("config-patch", { type: "string", array: true, describe: "patch the configs of every node" })
      .option("config-patch-control-plane", {
        type: "string",
        array: true,
        describe: "patch the control plane configs",
      })
      .option("config-patch-worker", { type: "string", array: true, describe: "patch the worker configs" })
      .option("wait", { type: "boolean", default: true, describe: "wait for the cluster to be healthy" })
      .option("wait-timeout", {
        type: "string",
        default: "20m0s",
        describe: "how long to wait for the cluster",
      })
      .option("skip-kubeconfig", { type: "boolean", default: false, describe: "do not merge the kubeconfig" })
      .option("talosconfig", {
        type: "string",
        describe: "the talosconfig to merge the cluster's context into",
      })
      .option("emulate", {
        type: "boolean",
        describe: `run every node in one talos-node --emulate process (the default above ${EMULATE_THRESHOLD} nodes; --emulate=false starts one process per node)`,
      })
      .option("time-scale", {
        type: "number",
        hidden: true,
        describe: "run the nodes' clocks this many times faster",
      }),
  async handler(args, ctx: CliContext) {
    const { name, stateRoot } = clusterOptions(args, ctx);
    const controlPlanes = num(args, "controlplanes") ?? 1;
    const workers = num(args, "workers") ?? 1;
    if (!Number.isInteger(controlPlanes) || controlPlanes < 1) {
      throw new UserError(`--controlplanes: expected at least 1 (got ${args.controlplanes})`);
    }
    if (!Number.isInteger(workers) || workers < 0)
      throw new UserError(`--workers: expected 0 or more (got ${args.workers})`);
    const cidr = str(args, "cidr") ?? DEFAULT_CIDR;
    const plan = planAddresses(cidr, controlPlanes + workers);
    const talosVersion = str(args, "talos-version") ?? TALOS_VERSION;
    if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(talosVersion)) {
      throw new UserError(
        `--talos-version ${JSON.stringify(talosVersion)}: expected vX.Y.Z, e.g. ${TALOS_VERSION}`,
      );
    }
    const contract = parseTalosVersion(talosVersion);
    const kubernetesVersion = str(args, "kubernetes-version") ?? DEFAULT_KUBERNETES_VERSION;
    const timeout = parseDurationFlag("--wait-timeout", str(args, "wait-timeout") ?? "20m0s");
    const timeScale = num(args, "time-scale");
    if (timeScale !== undefined && !(timeScale > 0))
      throw new UserError(`--time-scale: expected a positive number`);
    const patches = {
      all: loadConfigPatches(strs(args, "config-patch"), ctx.cwd),
      controlPlane: loadConfigPatches(strs(args, "config-patch-control-plane"), ctx.cwd),
      worker: loadConfigPatches(strs(args, "config-patch-worker"), ctx.cwd),
    };
    const program = nodeProgram(ctx);
    const dir = clusterDir(stateRoot, name);
    if (fs.existsSync(dir)) {
      throw new UserError(
        `cluster ${JSON.stringify(name)} already exists: state directory ${JSON.stringify(dir)}; destroy it first with "talosctl cluster destroy --name ${name}"`,
      );
    }

    const nodes: NodeRecord[] = plan.nodes.map((ip, i) => {
      const cp = i < controlPlanes;
      const nodeName = cp ? `${name}-controlplane-${i + 1}` : `${name}-worker-${i - controlPlanes + 1}`;
      return { name: nodeName, type: cp ? "controlplane" : "worker", ip, dir: nodeName };
    });
    const first = nodes[0]!;
    const emulated = useEmulation(typeof args.emulate === "boolean" ? args.emulate : undefined, nodes.length);
    const record: ClusterRecord = {
      provisioner: PROVISIONER,
      name,
      cidr,
      gateway: plan.gateway,
      endpoint: `https://${first.ip}:6443`,
      talosVersion,
      kubernetesVersion,
      nodes,
      ...(emulated ? { emulated: true } : {}),
    };

    const err = (line: string) => ctx.stderr.write(`${line}\n`);
    const out = (line: string) => ctx.stdout.write(`${line}\n`);
    err(`creating state directory in ${JSON.stringify(dir)}`);
    fs.mkdirSync(stateRoot, { recursive: true, mode: 0o700 });
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
      contract,
      kubernetesVersion,
      installDisk: "",
      patches,
      now: ctx.now(),
    });
    generating.catch(() => undefined);

    const extra = timeScale !== undefined ? ["--time-scale", String(timeScale)] : [];
    const pids = new Map<string, number>();
    if (emulated) {
      err(`creating ${nodes.length} nodes in one talos-node --emulate process`);
      const pid = launchEmulation({ program, clusterDir: dir, cidr, nodes, talosVersion, extraArgs: extra });
      for (const n of nodes) pids.set(n.name, pid);
    } else {
      err("creating controlplane nodes");
      for (const n of nodes.filter((x) => x.type === "controlplane")) {
        pids.set(n.name, launchNode({ program, clusterDir: dir, node: n, talosVersion, extraArgs: extra }));
      }
      if (workers > 0) err("creating worker nodes");
      for (const n of nodes.filter((x) => x.type === "worker")) {
        pids.set(n.name, launchNode({ program, clusterDir: dir, node: n, talosVersion, extraArgs: extra }));
      }
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
      context.endpoints = nodes.filter((n) => n.type === "controlplane").map((n) => n.ip);
      context.nodes = [first.ip];
    }
    writeFileAtomic(path.join(dir, "talosconfig"), encodeClientConfig(clientConfig), { mode: 0o600 });

    const running = (n: NodeRecord) => () =>
      emulated
        ? checkEmulationRunning(dir, nodes.length, pids.get(n.name)!)
        : checkNodeRunning(dir, n, pids.get(n.name)!);

    const hint = `; the cluster's processes keep running: "talosctl cluster destroy --name ${name}" removes them`;
    try {
      out("applying configuration to the cluster nodes");
      // One short-lived maintenance connection per attempt: a node restarts its API into
      // mTLS right after it accepts its config, so an idle connection to it is not kept.
      const applyOnce = async (n: NodeRecord): Promise<void> => {
        const insecure = createTalosClient({
          endpoints: [],
          direct: true,
          tls: maintenanceCredentials(),
          signal: ctx.signal,
        });
        try {
          await applyConfiguration(insecure.forNode(n.ip), {
            data: n.type === "controlplane" ? generated.controlplane : generated.worker,
            mode: ApplyMode.AUTO,
            dryRun: false,
            tryModeTimeout: 60_000_000_000n,
          });
        } finally {
          insecure.close();
        }
      };
      await Promise.all(
        nodes.map((n) =>
          retry(
            ctx.signal,
            NODE_START_TIMEOUT_MS,
            `node ${n.name} (${n.ip}) did not accept its configuration`,
            () => applyOnce(n),
            running(n),
          ),
        ),
      );

      const contextName = clientConfig.context;
      const context = resolveContext(clientConfig, contextName);
      const client = createTalosClient({
        endpoints: [first.ip],
        tls: credentialsFromContext(context),
        signal: ctx.signal,
      });
      try {
        out("waiting for Talos API (to bootstrap the cluster)");
        await retry(
          ctx.signal,
          NODE_START_TIMEOUT_MS,
          `the Talos API of ${first.ip} did not come up`,
          () => client.forNode(first.ip).machine.version({}),
          running(first),
        );
        out("bootstrapping cluster");
        await retry(ctx.signal, NODE_START_TIMEOUT_MS, "bootstrap failed", () =>
          client.forNode(first.ip).machine.bootstrap({}),
        );

        const { value: renames } = await updateClientConfig(
          { path: str(args, "talosconfig"), env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
          (config) => mergeClientConfig(config, clientConfig),
        );
        for (const r of renames) err(`renamed talosconfig context ${formatRename(r)}`);

        if (bool(args, "wait")) {
          await runClusterHealth({
            client,
            node: first.ip,
            server: true,
            timeoutMs: Number(timeout / 1_000_000n),
            controlPlanes: nodes.filter((n) => n.type === "controlplane").map((n) => n.ip),
            workers: nodes.filter((n) => n.type === "worker").map((n) => n.ip),
            out: ctx.stderr,
            signal: ctx.signal,
            live: true,
          });
        }
        if (!bool(args, "skip-kubeconfig")) await mergeKubeconfigInto(ctx, client, first.ip, err);
      } finally {
        client.close();
      }
    } catch (e) {
      if (e instanceof HealthError || e instanceof UserError)
        throw new UserError(`${e.message}${hint}`, { cause: e });
      throw e;
    }
    ctx.stdout.write(renderCluster(record));
  },
});

/** The talos-node launcher: $TALOS_NODE_BIN, else the one next to this talosctl. */
function nodeProgram(ctx: CliContext): string {
  const fromEnv = ctx.env.TALOS_NODE_BIN;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!fs.existsSync(fromEnv))
      throw new UserError(`TALOS_NODE_BIN ${JSON.stringify(fromEnv)}: no such file`);
    return path.resolve(fromEnv);
  }
  const self = process.argv[1] ? fs.realpathSync(process.argv[1]) : "";
  const candidates = [
    path.join(path.dirname(self), "talos-node"),
    path.join(path.dirname(self), "..", "bin", "talos-node"),
  ];
  const found = candidates.find((c) => fs.existsSync(c));
  if (!found) {
    throw new UserError(
      `cannot find talos-node next to talosctl (${path.dirname(self)}); set TALOS_NODE_BIN to its path`,
    );
  }
  return found;
}

async function mergeKubeconfigInto(
  ctx: CliContext,
  client: TalosClient,
  node: string,
  err: (line: string) => void,
): Promise<void> {
  const target = defaultKubeconfigPath(ctx);
  err(`\nmerging kubeconfig into ${JSON.stringify(target)}`);
  const chunks: Uint8Array[] = [];
  for await (const msg of client.forNode(node).machine.kubeconfig({})) chunks.push(msg.bytes);
  const incoming = parseKubeconfig(
    await kubeconfigFromArchive(Buffer.concat(chunks)),
    "the kubeconfig from the node",
  );
  let existing = parseKubeconfig("{}", target);
  if (fs.existsSync(target)) existing = parseKubeconfig(fs.readFileSync(target, "utf8"), target);
  await mergeKubeconfig(existing, incoming, { force: false, onRename: err });
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
  writeFileAtomic(target, encodeKubeconfig(existing), { mode: 0o600 });
}

/** Retries `fn` until it succeeds, the signal fires or `timeoutMs` passes. */
async function retry<T>(
  signal: AbortSignal,
  timeoutMs: number,
  what: string,
  fn: () => Promise<T>,
  check: () => void = () => undefined,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    check();
    try {
      return await fn();
    } catch (e) {
      if (signal.aborted) throw e;
      if (Date.now() > deadline) {
        throw new UserError(`${what}: ${toRpcError(e).message}`, { cause: e });
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}
