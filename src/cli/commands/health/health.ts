// talosctl health: waits for the cluster to be healthy, running Talos's checks on the node
// (default) or from here with --server=false.
import { HealthError, runClusterHealth } from "../../../client/cluster/index.js";
import { openClient, requireOneNode } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { formatGoDuration } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    server: flag.bool({ default: true, describe: "run the checks on the node (server-side)" }),
    "wait-timeout": flag.duration({
      default: "20m0s",
      describe: "how long to wait for the cluster to be healthy",
    }),
    "control-plane-nodes": flag.stringSlice({ describe: "control plane nodes (default: discovered)" }),
    "worker-nodes": flag.stringSlice({ describe: "worker nodes (default: discovered)" }),
    "init-node": flag.string({ hidden: true, describe: "deprecated: ignored" }),
    "k8s-endpoint": flag.string({
      describe: "use endpoint instead of kubeconfig default",
    }),
    "run-e2e": flag.bool({ describe: "run the Kubernetes e2e suite (not supported)" }),
  },
  examples: [
    ["$0 -n 10.5.0.2", "run the checks on 10.5.0.2 against the nodes it discovers"],
    ["$0 -n 10.5.0.2 --server=false --wait-timeout 2m", "run them from here, for at most two minutes"],
    ["$0 -n 10.5.0.2 --control-plane-nodes 10.5.0.2 --worker-nodes 10.5.0.3", "check exactly these nodes"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const timeout = flags["wait-timeout"];
    if (timeout <= 0n)
      throw new UserError(`--wait-timeout: must be positive (got ${formatGoDuration(timeout)})`);
    if (flags["run-e2e"]) throw new UserError("--run-e2e: the Kubernetes e2e suite is not supported here");
    const list = (values: readonly string[]) => values.map((v) => v.trim()).filter((v) => v !== "");
    const controlPlanes = list(flags["control-plane-nodes"]);
    const workers = list(flags["worker-nodes"]);
    if (workers.length > 0 && controlPlanes.length === 0) {
      throw new UserError("--worker-nodes needs --control-plane-nodes too (or neither, to discover both)");
    }
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = requireOneNode("health", nodes);
      await runClusterHealth({
        client,
        node,
        server: flags.server,
        timeoutMs: Number(timeout / 1_000_000n),
        controlPlanes,
        workers,
        ...(flags["k8s-endpoint"] !== "" ? { forceEndpoint: flags["k8s-endpoint"] } : {}),
        out: ctx.stderr,
        signal: ctx.signal,
      });
    } catch (err) {
      if (err instanceof HealthError) throw new UserError(err.message, { cause: err });
      throw err;
    } finally {
      client.close();
    }
  },
});
