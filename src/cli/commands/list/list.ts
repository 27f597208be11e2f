// talosctl list (ls) [path]: a directory listing from every node; names only (with a NODE
// column once several nodes answer), or with -l the mode, owner, size, time and link target.
import {
  completeNodePath,
  completionQuery,
  NodeError,
  openClient,
  streamNodes,
  throwIfAnyFailed,
  writeWithBackpressure,
} from "../../../client/index.js";
import { JoinedError, UserError } from "../../../errors.js";
import { type FileInfo, ListRequest_Type } from "../../../gen/machine/machine_pb.js";
import { bytesSI, fileModeString, listTime, relativeTime } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { completionConnection, connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat, renderTable } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

/**
 * `-t` letters: find's (f, d, l) and FileMode.String()'s (L) designations. Each value may hold
 * several (`-t fl`, or glued `-tfl`); commas split values already.
 */
function parseTypes(values: readonly string[]): ListRequest_Type[] {
  const out: ListRequest_Type[] = [];
  for (const value of values) {
    for (const letter of value) {
      if (letter === "f") out.push(ListRequest_Type.REGULAR);
      else if (letter === "d") out.push(ListRequest_Type.DIRECTORY);
      else if (letter === "l" || letter === "L") out.push(ListRequest_Type.SYMLINK);
      else throw new UserError(`invalid file type: ${letter}`);
    }
  }
  return out;
}

/** SELinux label from the reported extended attributes. */
function label(info: FileInfo): string {
  const x = info.xattrs.find((a) => a.name === "security.selinux");
  return x ? Buffer.from(x.data).toString("utf8").replace(/\0+$/, "") : "";
}

function displayName(info: FileInfo): string {
  return info.link !== "" ? `${info.relativeName} -> ${info.link}` : info.relativeName;
}

export const command = defineCommand({
  use: "[path]",
  args: args.max(1),
  flags: {
    ...connectionFlags,
    ...outputFlag(FORMATS, "table"),
    long: flag.bool({ short: "l", describe: "display additional file details" }),
    recurse: flag.bool({ short: "r", describe: "recurse into subdirectories" }),
    humanize: flag.bool({ short: "H", describe: "humanize size and time in the output" }),
    depth: flag.int32({ short: "d", default: 1, describe: "maximum recursion depth" }),
    type: flag.stringSlice({
      short: "t",
      describe:
        "filter by type: f (regular file), d (directory), l or L (symbolic link); combinable, e.g. -t fl",
    }),
  },
  examples: [
    ["$0 /var/log", "names in /var/log"],
    ["$0 -l -H /etc", "details, sizes and times for humans"],
    ["$0 -r -t f /var/log", "every regular file below /var/log"],
    ["$0 -d 2 /system", "two levels deep"],
  ],
  completePositional: (index, ctx, input, toComplete) =>
    index === 0
      ? completionQuery(completionConnection(input), ctx, (client, nodes) =>
          completeNodePath(client, nodes[0]!, toComplete),
        )
      : [],
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const root = args[0] || "/";
    const { long, recurse, humanize, depth } = flags;
    if (recurse && depth !== 1) {
      throw new UserError("only one of flags --recurse and --depth can be specified at the same time");
    }
    // As talosctl: --recurse asks for no limit (-1); a depth of 1 or less (0 and negative
    // included) lists the root's entries only, since the node recurses only when asked to.
    const recursionDepth = recurse ? -1 : depth;
    const request = {
      root,
      recurse: recurse || recursionDepth > 1,
      recursionDepth,
      types: parseTypes(flags.type),
      reportXattrs: long,
    };
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const now = ctx.now();
      const json = format.kind === "json";
      // One node and no details: plain names, streamed as they come (no header, no NODE column).
      const plain = !json && !long && nodes.length === 1;
      const rows: string[][] = [];
      const entryErrors: Error[] = [];
      const results = await streamNodes(
        nodes,
        (node) => client.forNode(node).machine.list(request),
        async (node, info) => {
          if (info.error !== "") {
            const message = `${node}: error reading file ${info.name}: ${info.error}`;
            entryErrors.push(new NodeError(node, message));
            if (json)
              await writeWithBackpressure(
                ctx.stdout,
                `${JSON.stringify({ node, name: info.name, error: info.error })}\n`,
              );
            return;
          }
          if (json) {
            const entry: Record<string, unknown> = {
              node,
              name: info.name,
              relativeName: info.relativeName,
              mode: fileModeString(info.mode),
              isDir: info.isDir,
              size: Number(info.size),
              modified: new Date(Number(info.modified) * 1000).toISOString(),
              uid: info.uid,
              gid: info.gid,
            };
            if (info.link !== "") entry.link = info.link;
            if (long) entry.label = label(info);
            await writeWithBackpressure(ctx.stdout, `${JSON.stringify(entry)}\n`, ctx.signal);
            return;
          }
          if (plain) {
            await writeWithBackpressure(ctx.stdout, `${info.relativeName}\n`, ctx.signal);
            return;
          }
          if (!long) {
            rows.push([node, info.relativeName]);
            return;
          }
          const modified = new Date(Number(info.modified) * 1000);
          rows.push([
            node,
            fileModeString(info.mode),
            String(info.uid),
            String(info.gid),
            humanize ? bytesSI(info.size) : String(info.size),
            humanize ? relativeTime(modified, now) : listTime(modified, now),
            label(info),
            displayName(info),
          ]);
        },
        { signal: ctx.signal },
      );
      if (!json && !plain && results.some((r) => r.ok)) {
        const header = long
          ? ["NODE", "MODE", "UID", "GID", "SIZE(B)", "LASTMOD", "LABEL", "NAME"]
          : ["NODE", "NAME"];
        ctx.stdout.write(renderTable(header, rows));
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
