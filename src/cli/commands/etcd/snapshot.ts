// talosctl etcd snapshot <path>: streams one node's etcd snapshot into a local file, written
// as <path>.part and renamed once complete and checked, then prints its size and status.
import { openClient, requireOneNode, saveEtcdSnapshot, snapshotInfoLine } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";
import { oneLine } from "./one-line.js";

const FORMATS = ["text", "json"] as const;

export const command = defineCommand({
  use: "<path>",
  args: args.exact(1),
  flags: { ...connectionFlags, ...outputFlag(FORMATS, "text") },
  examples: [
    ["$0 db.snapshot -n 10.5.0.2", "save 10.5.0.2's etcd snapshot to db.snapshot"],
    ["$0 db.snapshot -o json", "the same, with its size and status as JSON"],
  ],
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = requireOneNode("etcd snapshot", nodes);
      const file = args[0]!;
      const saved = await oneLine(ctx, () => saveEtcdSnapshot(client.forNode(node), file, ctx.signal));
      if (format.kind === "json") {
        ctx.stdout.write(
          `${JSON.stringify({ node, path: file, size: saved.size, hash: saved.status.hash.toString(16).padStart(8, "0"), revision: saved.status.revision, totalKeys: saved.status.totalKey, totalSize: saved.status.totalSize })}\n`,
        );
        return;
      }
      ctx.stdout.write(`etcd snapshot saved to ${JSON.stringify(file)} (${saved.size} bytes)\n`);
      ctx.stdout.write(`${snapshotInfoLine(saved.status)}\n`);
    } finally {
      client.close();
    }
  },
});
