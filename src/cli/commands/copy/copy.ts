// talosctl copy (cp) <src-path> -|<local-path>: a .tar.gz of a path on one node, written raw
// to stdout (`-`) or unpacked into a local directory, refusing anything that would land
// outside it.
import path from "node:path";
import {
  completeNodePath,
  completionQuery,
  openClient,
  requireOneNode,
  toRpcError,
  writeWithBackpressure,
} from "../../../client/index.js";
import { extractTarGz } from "../../../client/tar.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { completionConnection, connectionFlags, connectionOptions } from "../../flags.js";

export const command = defineCommand({
  use: "<src-path> -|<local-path>",
  args: args.exact(2),
  flags: { ...connectionFlags },
  examples: [
    ["$0 /var/log ./logs", "unpack the node's /var/log into ./logs"],
    ["$0 /etc/os-release - | tar tz", "the raw archive on stdout"],
  ],
  completePositional: (index, ctx, input, toComplete) =>
    index === 0
      ? completionQuery(completionConnection(input), ctx, (client, nodes) =>
          completeNodePath(client, nodes[0]!, toComplete),
        )
      : [],
  async handler({ flags, args }, ctx: CliContext) {
    const [source, local] = args as [string, string];
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = requireOneNode("copy", nodes);
      // The node reports what it could not archive (or that the path does not exist) in the
      // metadata of a message of its own, apart from the archive bytes.
      const problems: string[] = [];
      let received = 0;
      async function* archive(): AsyncIterable<Uint8Array> {
        try {
          for await (const data of client.forNode(node).machine.copy({ rootPath: source })) {
            const problem = data.metadata?.error ?? "";
            if (problem !== "") problems.push(problem.trim());
            if (data.bytes.length === 0) continue;
            received += data.bytes.length;
            yield data.bytes;
          }
        } catch (err) {
          throw new UserError(
            `error copying ${source} from node ${node}: ${toRpcError(err, ctx.signal.aborted).message}`,
            { cause: err },
          );
        }
        if (received === 0 && problems.length > 0) {
          throw new UserError(`error copying ${source} from node ${node}: ${problems.join("; ")}`);
        }
      }
      if (local === "-") {
        for await (const bytes of archive()) await writeWithBackpressure(ctx.stdout, bytes, ctx.signal);
      } else {
        const result = await extractTarGz(archive(), path.resolve(ctx.cwd, local));
        for (const line of result.skipped) ctx.stderr.write(`WARNING: ${line}\n`);
      }
      for (const problem of problems)
        ctx.stderr.write(`WARNING: ${node}: ${problem.replace(/\n\s*/g, " ")}\n`);
    } finally {
      client.close();
    }
  },
});
