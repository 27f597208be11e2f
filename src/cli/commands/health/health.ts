// talosctl health: waits for the cluster to be healthy, running Talos's checks on the node
// (default) or from here with --server=false (cli.md §3.10).
import type { Argv } from "yargs";
import { HealthError, runClusterHealth } from "../../../client/cluster/index.js";
import { connectionFlagsFrom, openClient, requireOneNode } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { parseDurationFlag } from "../../../wire/index.js";
import { bool, defineCommand, slice, str } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags } from "../../flags.js";

export const command = defineCommand({
  examples: [
    ["$0 -n 10.5.0.2", "run the checks on 10.5.0.2 against the nodes it discovers"],
    ["$0 -n 10.5.0.2 --server=false --wait-timeout 2m", "run them from here, for at most two minutes"],
    ["$0 -n 10.5.0.2 --control-plane-nodes 10.5.0.2 --worker-nodes 10.5.0.3", "check exactly these nodes"],
  ],
  builder: (y: Argv) =>
    withConnectionFlags(y)
      .option("server", {
        type: "boolean",
        default: true,
        describe: "run the checks on the node (server-side)",
      })
      .option("wait-timeout", {
        type: "string",
        default: "20m0s",
        describe: "how long to wait for the cluster to be healthy",
      })
      .option("control-plane-nodes", {
        type: "string",
        array: true,
        describe: "control plane nodes (default: discovered)",
      })
      .option("worker-nodes", { type: "string", array: true, describe: "worker nodes (default: discovered)" })
      .option("init-node", { type: "string", hidden: true, describe: "deprecated: ignored" })
      .option("k8s-endpoint", {
        type: "string",
        describe: "Kubernetes endpoint to check (sent to the node; its Kubernetes checks are emulated)",
      })
      .option("run-e2e", {
        type: "boolean",
        default: false,
        describe: "run the Kubernetes e2e suite (not supported)",
      }),
  async handler(args, ctx: CliContext) {
    const timeout = parseDurationFlag("--wait-timeout", str(args, "wait-timeout") ?? "20m0s");
    if (timeout <= 0n)
      throw new UserError(`--wait-timeout: must be positive (got ${str(args, "wait-timeout")})`);
    if (bool(args, "run-e2e"))
      throw new UserError("--run-e2e: the Kubernetes e2e suite is not supported here");
    const list = (key: string) =>
      slice(args, key)
        .flatMap((v) => v.split(","))
        .map((v) => v.trim())
        .filter((v) => v !== "");
    const controlPlanes = list("control-plane-nodes");
    const workers = list("worker-nodes");
    if (workers.length > 0 && controlPlanes.length === 0) {
      throw new UserError("--worker-nodes needs --control-plane-nodes too (or neither, to discover both)");
    }
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
    try {
      const node = requireOneNode("health", nodes);
      await runClusterHealth({
        client,
        node,
        server: bool(args, "server"),
        timeoutMs: Number(timeout / 1_000_000n),
        controlPlanes,
        workers,
        ...(str(args, "k8s-endpoint") ? { forceEndpoint: str(args, "k8s-endpoint")! } : {}),
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
