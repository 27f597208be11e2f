// talosctl usage (du) [path...]: disk usage of paths on every node, like du: each directory
// (and with --all each file) down to --depth, then the path's total; the NODE column appears
// once several nodes answer.
import {
  completeNodePath,
  completionQuery,
  NodeError,
  openClient,
  streamNodes,
  throwIfAnyFailed,
  writeWithBackpressure,
} from "../../../client/index.js";
import { JoinedError } from "../../../errors.js";
import { bytesSI } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { completionConnection, connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat, renderTable } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

export const command = defineCommand({
  use: "[path1] [path2] ... [pathN]",
  args: args.any,
  flags: {
    ...connectionFlags,
    ...outputFlag(FORMATS, "table"),
    all: flag.bool({ short: "a", describe: "write counts for all files, not just directories" }),
    depth: flag.int32({ short: "d", describe: "maximum recursion depth" }),
    humanize: flag.bool({ short: "H", describe: "humanize size and time in the output" }),
    threshold: flag.int({
      short: "t",
      describe: "exclude entries smaller than SIZE if positive, or entries greater than SIZE if negative",
    }),
  },
  examples: [
    ["$0 /var", "size of /var and of each directory below it"],
    ["$0 -H -d 1 /var /system", "one level deep, sizes for humans"],
    ["$0 -a -t 1000000 /var/log", "files and directories of at least 1 MB"],
  ],
  completePositional: (_index, ctx, input, toComplete) =>
    completionQuery(completionConnection(input), ctx, (client, nodes) =>
      completeNodePath(client, nodes[0]!, toComplete),
    ),
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    // As talosctl: the node counts the path itself as depth 0 and stops below the depth it is
    // sent, so it is sent --depth + 1 (wrapping as Go's int32 does); 0 or less means no limit.
    const request = {
      recursionDepth: (flags.depth + 1) | 0,
      all: flags.all,
      threshold: BigInt(flags.threshold),
      paths: args.length > 0 ? [...args] : ["/"],
    };
    const humanize = flags.humanize;
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const json = format.kind === "json";
      const many = nodes.length > 1;
      const rows: string[][] = [];
      const entryErrors: Error[] = [];
      const results = await streamNodes(
        nodes,
        (node) => client.forNode(node).machine.diskUsage(request),
        async (node, info) => {
          if (info.error !== "") {
            entryErrors.push(new NodeError(node, `error from node ${node}: ${info.error}`));
            if (json)
              await writeWithBackpressure(
                ctx.stdout,
                `${JSON.stringify({ node, name: info.name, error: info.error })}\n`,
              );
            return;
          }
          if (json) {
            const line = JSON.stringify({
              node,
              name: info.name,
              relativeName: info.relativeName,
              size: Number(info.size),
            });
            await writeWithBackpressure(ctx.stdout, `${line}\n`, ctx.signal);
            return;
          }
          const size = humanize ? bytesSI(info.size) : String(info.size);
          rows.push(many ? [node, size, info.relativeName] : [size, info.relativeName]);
        },
        { signal: ctx.signal },
      );
      if (!json && rows.length > 0) {
        ctx.stdout.write(renderTable(many ? ["NODE", "SIZE", "NAME"] : ["SIZE", "NAME"], rows));
      }
      if (json) {
        for (const r of results)
          if (!r.ok) ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
      }
      try {
        throwIfAnyFailed(results);
      } catch (err) {
        if (err instanceof JoinedError) throw new JoinedError([...entryErrors, ...err.errors]);
        throw err;
      }
      if (entryErrors.length > 0) throw new JoinedError(entryErrors);
    } finally {
      client.close();
    }
  },
});
