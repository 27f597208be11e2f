// The shared shape of `etcd downgrade validate|enable|cancel`: one node, then a NODE/MESSAGE
// table with etcd's cluster version, as talosctl prints it.
import { openClient, requireOneNode, type TalosClient } from "../../../client/index.js";
import type { EtcdClusterDowngrade } from "../../../gen/machine/machine_pb.js";
import type { CliContext } from "../../context.js";
import { type ConnectionValues, connectionOptions } from "../../flags.js";
import { type OutputFormat, renderTable } from "../../output/index.js";
import { oneLine } from "./one-line.js";

export const DOWNGRADE_FORMATS = ["table", "json"] as const;

export async function runDowngrade(
  ctx: CliContext,
  flags: ConnectionValues,
  format: OutputFormat,
  action: "validate" | "enable" | "cancel",
  call: (
    client: TalosClient,
    node: string,
  ) => Promise<{ messages: { clusterDowngrade?: EtcdClusterDowngrade }[] }>,
): Promise<void> {
  const { client, nodes } = openClient(connectionOptions(flags), ctx);
  try {
    const node = requireOneNode(`etcd downgrade ${action}`, nodes);
    const reply = await oneLine(ctx, () => call(client, node));
    const rows = reply.messages.map((m) => [
      node,
      `downgrade ${action} success, cluster version ${m.clusterDowngrade?.clusterVersion ?? ""}`,
    ]);
    if (format.kind === "json") {
      for (const m of reply.messages) {
        ctx.stdout.write(
          `${JSON.stringify({ node, action, clusterVersion: m.clusterDowngrade?.clusterVersion ?? "" })}\n`,
        );
      }
      return;
    }
    if (rows.length > 0) ctx.stdout.write(renderTable(["NODE", "MESSAGE"], rows));
  } finally {
    client.close();
  }
}
