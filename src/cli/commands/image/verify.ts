// talosctl image verify <image>: asks every node whether the image passes its image
// verification rules (ImageService.Verify): verified, skipped or not matched, or refused.
import { fanOut, openClient, throwIfAnyFailed, verifyNodeImage } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat, renderTable } from "../../output/index.js";
import { namespaceFlag } from "./flags.js";

const FORMATS = ["table", "json"] as const;

export const command = defineCommand({
  use: "<image>",
  args: args.exact(1),
  flags: { ...connectionFlags, ...namespaceFlag, ...outputFlag(FORMATS, "table") },
  examples: [["$0 ghcr.io/siderolabs/installer:v1.14.0", "check an image against the nodes' rules"]],
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const rows: string[][] = [];
      const results = await fanOut(nodes, (node) => verifyNodeImage(client.forNode(node), args[0]!), {
        signal: ctx.signal,
        onResult: (r) => {
          if (!r.ok) {
            if (format.kind === "json")
              ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
            return;
          }
          if (format.kind === "json") ctx.stdout.write(`${JSON.stringify({ node: r.node, ...r.value })}\n`);
          else rows.push([r.node, String(r.value.verified), r.value.message, r.value.digestedImageRef]);
        },
      });
      if (rows.length > 0)
        ctx.stdout.write(renderTable(["NODE", "VERIFIED", "MESSAGE", "DIGESTED IMAGE"], rows));
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
