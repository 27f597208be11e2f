// talosctl cluster create: a local cluster of talos-node processes (the `process`
// provisioner), configured, bootstrapped and waited for until healthy. The work is
// createCluster's; this file reads the flags and prints the result.
import fs from "node:fs";
import path from "node:path";
import {
  createCluster,
  DEFAULT_CIDR,
  EMULATE_THRESHOLD,
  SYSTEM_CLOCK,
} from "../../../client/cluster/index.js";
import { defaultKubeconfigPath } from "../../../client/index.js";
import { loadConfigPatches, parseTalosVersion } from "../../../config/generate/index.js";
import { UserError } from "../../../errors.js";
import { DEFAULT_KUBERNETES_VERSION, TALOS_VERSION } from "../../../version.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { clusterFlags, clusterOptions } from "./flags.js";
import { renderCluster } from "./show.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...clusterFlags,
    controlplanes: flag.int({ default: 1, describe: "the number of control plane nodes" }),
    workers: flag.int({ default: 1, describe: "the number of worker nodes" }),
    cidr: flag.string({ default: DEFAULT_CIDR, describe: "the network of the nodes (loopback)" }),
    "talos-version": flag.string({ default: TALOS_VERSION, describe: "the Talos version the nodes run" }),
    "kubernetes-version": flag.string({
      default: DEFAULT_KUBERNETES_VERSION,
      describe: "the Kubernetes version",
    }),
    "config-patch": flag.stringArray({ describe: "patch the configs of every node" }),
    "config-patch-control-plane": flag.stringArray({ describe: "patch the control plane configs" }),
    "config-patch-worker": flag.stringArray({ describe: "patch the worker configs" }),
    wait: flag.bool({ default: true, describe: "wait for the cluster to be healthy" }),
    "wait-timeout": flag.duration({ default: "20m0s", describe: "how long to wait for the cluster" }),
    "skip-kubeconfig": flag.bool({ describe: "do not merge the kubeconfig" }),
    talosconfig: flag.string({ describe: "the talosconfig to merge the cluster's context into" }),
    emulate: flag.bool({
      describe: `run every node in talos-node --emulate (the default above ${EMULATE_THRESHOLD} nodes; one process, or one per CPU core for a large cluster; --emulate=false starts one process per node)`,
    }),
    "time-scale": flag.float64({ hidden: true, describe: "run the nodes' clocks this many times faster" }),
  },
  examples: [
    ["$0", "one control plane and one worker named talos-default"],
    ["$0 --name demo --controlplanes 3 --workers 2", "a bigger cluster"],
    ["$0 --config-patch @patch.yaml", "patch every node's config"],
    ["$0 --emulate --controlplanes 3 --workers 40", "a large cluster served by one talos-node process"],
  ],
  async handler({ flags, changed }, ctx: CliContext) {
    const { name, stateRoot } = clusterOptions(flags, ctx);
    const talosVersion = flags["talos-version"];
    if (!/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(talosVersion)) {
      throw new UserError(
        `--talos-version ${JSON.stringify(talosVersion)}: expected vX.Y.Z, e.g. ${TALOS_VERSION}`,
      );
    }
    if (changed("time-scale") && !(flags["time-scale"] > 0)) {
      throw new UserError("--time-scale: expected a positive number");
    }
    const record = await createCluster({
      name,
      stateRoot,
      controlPlanes: flags.controlplanes,
      workers: flags.workers,
      cidr: flags.cidr,
      talosVersion,
      contract: parseTalosVersion(talosVersion),
      kubernetesVersion: flags["kubernetes-version"],
      patches: {
        all: loadConfigPatches(flags["config-patch"], ctx.cwd),
        controlPlane: loadConfigPatches(flags["config-patch-control-plane"], ctx.cwd),
        worker: loadConfigPatches(flags["config-patch-worker"], ctx.cwd),
      },
      ...(changed("emulate") ? { emulate: flags.emulate } : {}),
      ...(changed("time-scale") ? { timeScale: flags["time-scale"] } : {}),
      program: nodeProgram(ctx),
      ...(flags.wait ? { healthTimeoutMs: Number(flags["wait-timeout"] / 1_000_000n) } : {}),
      ...(flags["skip-kubeconfig"] ? {} : { kubeconfigPath: defaultKubeconfigPath(ctx.env, ctx.homedir) }),
      talosconfig: {
        path: flags.talosconfig === "" ? undefined : flags.talosconfig,
        env: ctx.env,
        homedir: ctx.homedir,
        cwd: ctx.cwd,
      },
      reporter: {
        info: (line) => ctx.stderr.write(`${line}\n`),
        step: (line) => ctx.stdout.write(`${line}\n`),
        health: ctx.stderr,
      },
      clock: { ...SYSTEM_CLOCK, now: ctx.now },
      signal: ctx.signal,
    });
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
