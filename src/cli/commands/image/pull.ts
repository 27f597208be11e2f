// talosctl image pull (p) <image>: pulls an image into a containerd instance of every node; on a
// terminal each node's layers show as they come, then `<node>: pulled image <name>` per node.
import {
  containerdInstance,
  fanOut,
  openClient,
  pullNodeImage,
  throwIfAnyFailed,
} from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";
import { createProgress } from "../../output/progress.js";
import { namespaceFlag } from "./flags.js";

const FORMATS = ["text", "json"] as const;

export const command = defineCommand({
  use: "<image>",
  args: args.exact(1),
  flags: { ...connectionFlags, ...namespaceFlag, ...outputFlag(FORMATS, "text") },
  examples: [
    ["$0 docker.io/library/alpine:latest", "into the Kubernetes namespace of every node"],
    ["$0 --namespace inmem ghcr.io/siderolabs/installer:v1.14.0", "into the system containerd"],
  ],
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const instance = containerdInstance(flags.namespace);
    const ref = args[0]!;
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    const live = format.kind !== "json" && ctx.stderr.isTTY === true;
    const progress = live
      ? createProgress({ stderr: ctx.stderr, stdout: ctx.stdout, nodes, mode: "auto", json: false })
      : undefined;
    try {
      const pulled = new Map<string, string>();
      const results = await fanOut(
        nodes,
        (node) =>
          pullNodeImage(client.forNode(node), instance, ref, (p) =>
            progress?.update({
              node,
              state: "running",
              message: `${p.layer.slice(7, 19)}: ${p.offset}/${p.total} bytes`,
              transient: true,
            }),
          ),
        {
          signal: ctx.signal,
          onResult: (r) => {
            if (r.ok) {
              pulled.set(r.node, r.value);
              progress?.update({ node: r.node, state: "succeeded", message: `pulled image ${r.value}` });
            } else progress?.update({ node: r.node, state: "failed", message: r.error.message });
          },
        },
      );
      progress?.close();
      const done = [...pulled].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      if (format.kind === "json") {
        for (const [node, image] of done) ctx.stdout.write(`${JSON.stringify({ node, image })}\n`);
      } else if (!live && done.length > 0) {
        ctx.stderr.write(`${done.map(([node, image]) => `${node}: pulled image ${image}`).join("\n")}\n`);
      }
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
