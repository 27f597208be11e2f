// talosctl dmesg: the kernel log of every node, each record prefixed with `<node>: `; -f
// follows it until Ctrl+C, --tail skips what is already there (only new messages).
import { CoalescingWriter, openClient, streamNodes, throwIfAnyFailed } from "../../../client/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, insecureFlags, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";

const FORMATS = ["text", "json"] as const;

/** `<facility>: <priority padded to 7>: [<time>]: <message>`. */
const RECORD = /^([a-z0-9]+): +([a-z]+): \[([^\]]*)\]: ([\s\S]*?)\n?$/;

/** One kernel record as JSON fields; a record in another shape keeps its text whole. */
function dmesgRecord(node: string, text: string): Record<string, string> {
  const m = RECORD.exec(text);
  if (!m) return { node, text: text.replace(/\n$/, "") };
  return { node, facility: m[1]!, priority: m[2]!, time: m[3]!, message: m[4]! };
}

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    ...insecureFlags,
    ...outputFlag(FORMATS, "text"),
    follow: flag.bool({ short: "f", describe: "specify if the kernel log should be streamed" }),
    tail: flag.bool({
      describe: "specify if only new messages should be sent (makes sense only when combined with --follow)",
    }),
  },
  examples: [
    ["$0", "the kernel log of every node in the context"],
    ["$0 -f --tail", "only new kernel messages, as they come"],
    ["$0 -o json", "one JSON object per record: {node, facility, priority, time, message}"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const request = { follow: flags.follow, tail: flags.tail };
    const json = format.kind === "json";
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const writer = new CoalescingWriter(ctx.stdout, ctx.signal);
      const results = await streamNodes(
        nodes,
        (node) => client.forNode(node).machine.dmesg(request),
        async (node, data) => {
          const text = Buffer.from(data.bytes).toString("utf8");
          const out = json ? `${JSON.stringify(dmesgRecord(node, text))}\n` : `${node}: ${text}`;
          await writer.write(out);
        },
        { signal: ctx.signal },
      );
      await writer.flush();
      if (json) {
        for (const r of results)
          if (!r.ok) ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
      }
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
