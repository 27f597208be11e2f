// talosctl usage (du) [path...]: disk usage of paths on every node, like du; the NODE column
// appears once several nodes answer.
import type { Argv } from "yargs";
import {
  completeNodePath,
  completionQuery,
  connectionFlagsFrom,
  NodeError,
  openClient,
  parseBigIntFlag,
  parseIntFlag,
  streamNodes,
  throwIfAnyFailed,
  writeWithBackpressure,
} from "../../../client/index.js";
import { JoinedError, UserError } from "../../../errors.js";
import { bytesSI } from "../../../wire/index.js";
import { bool, defineCommand, str, strs } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags, withOutputFlag } from "../../flags.js";
import { parseOutputFormat, renderTable } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

export const command = defineCommand({
  args: "[paths..]",
  examples: [
    ["$0 /var", "size of /var and of each directory below it"],
    ["$0 -H -d 1 /var /system", "one level deep, sizes for humans"],
    ["$0 -a -t 1000000 /var/log", "files and directories of at least 1 MB"],
  ],
  completePositional: (_index, ctx, args, toComplete) =>
    completionQuery(args, ctx, (client, nodes) => completeNodePath(client, nodes[0]!, toComplete)),
  builder: (y: Argv) =>
    withOutputFlag(withConnectionFlags(y), FORMATS, "table")
      .positional("paths", { type: "string", array: true, describe: "paths to measure (default /)" })
      .option("all", {
        alias: "a",
        type: "boolean",
        default: false,
        describe: "write counts for all files, not just directories",
      })
      .option("depth", { alias: "d", type: "string", default: "0", describe: "maximum recursion depth" })
      .option("humanize", {
        alias: "H",
        type: "boolean",
        default: false,
        describe: "humanize size and time in the output",
      })
      .option("threshold", {
        alias: "t",
        type: "string",
        default: "0",
        describe: "exclude entries smaller than SIZE if positive, or entries greater than SIZE if negative",
      }),
  async handler(args, ctx: CliContext) {
    const format = parseOutputFormat(str(args, "output") ?? "table", FORMATS);
    const paths = strs(args, "paths");
    const depth = parseIntFlag("--depth", str(args, "depth") ?? "0");
    if (depth < 0) throw new UserError(`--depth must not be negative (got ${depth})`);
    const request = {
      recursionDepth: depth,
      all: bool(args, "all"),
      threshold: parseBigIntFlag("--threshold", str(args, "threshold") ?? "0"),
      paths: paths.length > 0 ? paths : ["/"],
    };
    const humanize = bool(args, "humanize");
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
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
            entryErrors.push(new NodeError(node, `${node}: error reading file ${info.name}: ${info.error}`));
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
