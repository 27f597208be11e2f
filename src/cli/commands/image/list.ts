// talosctl image list (l, ls): the images of a containerd instance on every node.
import {
  containerdInstance,
  fanOut,
  formatLabels,
  type ImageEntry,
  listImages,
  openClient,
  throwIfAnyFailed,
} from "../../../client/index.js";
import { bytesSI } from "../../../wire/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat, renderTable } from "../../output/index.js";
import { namespaceFlag } from "./flags.js";

const FORMATS = ["table", "json"] as const;

/** Go's time.RFC3339 of a UTC instant. */
function rfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags, ...namespaceFlag, ...outputFlag(FORMATS, "table") },
  examples: [
    ["$0", "the Kubernetes images of every node"],
    ["$0 --namespace system", "etcd's and the kubelet's images"],
    ["$0 -o json", "one JSON object per image"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const instance = containerdInstance(flags.namespace);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const rows: string[][] = [];
      const results = await fanOut(nodes, (node) => listImages(client.forNode(node), instance), {
        signal: ctx.signal,
        onResult: (r) => {
          if (!r.ok) {
            if (format.kind === "json")
              ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
            return;
          }
          for (const i of r.value as ImageEntry[]) {
            if (format.kind === "json") {
              ctx.stdout.write(
                `${JSON.stringify({ node: r.node, name: i.name, digest: i.digest, size: i.size, labels: i.labels, createdAt: rfc3339(i.createdAt) })}\n`,
              );
            } else {
              rows.push([
                r.node,
                i.name,
                i.digest,
                bytesSI(i.size),
                formatLabels(i.labels),
                rfc3339(i.createdAt),
              ]);
            }
          }
        },
      });
      if (rows.length > 0)
        ctx.stdout.write(renderTable(["NODE", "IMAGE", "DIGEST", "SIZE", "LABELS", "CREATED"], rows));
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
