// talosctl etcd members: the etcd member list as each node's etcd sees it (cli.md §3.11).
import type { Argv } from "yargs";
import { connectionFlagsFrom, fanOut, openClient, throwIfAnyFailed } from "../../../client/index.js";
import { defineCommand, str } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags, withOutputFlag } from "../../flags.js";
import { parseOutputFormat, renderTable } from "../../output/index.js";
import { memberIdHex } from "./ids.js";

const FORMATS = ["table", "json"] as const;

export const command = defineCommand({
  examples: [
    ["$0 -n 10.5.0.2", "the etcd members as 10.5.0.2 sees them"],
    ["$0 -o json", "one JSON object per member and node"],
  ],
  builder: (y: Argv) => withOutputFlag(withConnectionFlags(y), FORMATS, "table"),
  async handler(args, ctx: CliContext) {
    const format = parseOutputFormat(str(args, "output") ?? "table", FORMATS);
    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
    try {
      const rows: string[][] = [];
      const results = await fanOut(
        nodes,
        async (node) => {
          const reply = await client.forNode(node).machine.etcdMemberList({ queryLocal: true });
          return reply.messages.flatMap((m) => m.members);
        },
        {
          signal: ctx.signal,
          onResult: (r) => {
            if (!r.ok) {
              if (format.kind === "json")
                ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
              return;
            }
            for (const m of r.value) {
              if (format.kind === "json") {
                ctx.stdout.write(
                  `${JSON.stringify({
                    node: r.node,
                    id: memberIdHex(m.id),
                    hostname: m.hostname,
                    peerUrls: m.peerUrls,
                    clientUrls: m.clientUrls,
                    learner: m.isLearner,
                  })}\n`,
                );
              } else {
                rows.push([
                  r.node,
                  memberIdHex(m.id),
                  m.hostname,
                  m.peerUrls.join(","),
                  m.clientUrls.join(","),
                  String(m.isLearner),
                ]);
              }
            }
          },
        },
      );
      if (format.kind === "table" && results.some((r) => r.ok)) {
        ctx.stdout.write(
          renderTable(["NODE", "ID", "HOSTNAME", "PEER URLS", "CLIENT URLS", "LEARNER"], rows),
        );
      }
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
