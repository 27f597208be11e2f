// talosctl bootstrap: starts the cluster's etcd on one control-plane node, optionally from a
// snapshot (--recover-from): its status is printed, it is uploaded (EtcdRecover), and the
// node's etcd restores it as it starts.
import {
  openClient,
  readSnapshotStatus,
  recoveringLine,
  requireOneNode,
  toRpcError,
  uploadEtcdSnapshot,
} from "../../../client/index.js";
import { errorMessage, UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    "recover-from": flag.string({ describe: "recover etcd cluster from the snapshot" }),
    "recover-skip-hash-check": flag.bool({
      describe: "skip integrity check when recovering etcd (use when recovering from data directory copy)",
    }),
  },
  long: `When Talos cluster is created etcd service on control plane nodes enter the join loop waiting
to join etcd peers from other control plane nodes. One node should be picked as the bootstrap node.
When bootstrap command is issued, the node aborts join process and bootstraps etcd cluster as a single node cluster.
Other control plane nodes will join etcd cluster once Kubernetes is bootstrapped on the bootstrap node.

This command should not be used when "init" type node are used.

Talos etcd cluster can be recovered from a known snapshot with '--recover-from=' flag.`,
  examples: [
    ["$0 -n 10.5.0.2", "bootstrap etcd on the first control-plane node"],
    ["$0 -n 10.5.0.2 --recover-from db.snapshot", "bootstrap etcd with the data of a snapshot"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = requireOneNode("bootstrap", nodes);
      const from = flags["recover-from"];
      if (from !== "") {
        const status = oneLineSync(() => readSnapshotStatus(from));
        ctx.stdout.write(`${recoveringLine(from, status)}\n`);
        try {
          await uploadEtcdSnapshot(client.forNode(node), from, ctx.signal);
        } catch (err) {
          throw new UserError(errorMessage(err), { cause: err });
        }
      }
      try {
        await client.forNode(node).machine.bootstrap({
          recoverEtcd: from !== "",
          recoverSkipHashCheck: flags["recover-skip-hash-check"],
        });
      } catch (err) {
        throw new UserError(`error executing bootstrap: ${toRpcError(err, ctx.signal.aborted).message}`, {
          cause: err,
        });
      }
    } finally {
      client.close();
    }
  },
});

/** A local failure (the snapshot file) as one line. */
function oneLineSync<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new UserError(errorMessage(err), { cause: err });
  }
}
