// talosctl etcd members: the etcd member list as each node's etcd sees it.
import { openClient } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { printNodeTable } from "../../node-table.js";
import { parseOutputFormat } from "../../output/index.js";
import { memberIdHex } from "./ids.js";

const FORMATS = ["table", "json"] as const;

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags, ...outputFlag(FORMATS, "table") },
  examples: [
    ["$0 -n 10.5.0.2", "the etcd members as 10.5.0.2 sees them"],
    ["$0 -o json", "one JSON object per member and node"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await printNodeTable(ctx, format, nodes, {
        headers: ["NODE", "ID", "HOSTNAME", "PEER URLS", "CLIENT URLS", "LEARNER"],
        fetch: async (node) => {
          const reply = await client.forNode(node).machine.etcdMemberList({ queryLocal: true });
          return reply.messages.flatMap((m) => m.members);
        },
        rows: (node, members) =>
          members.map((m) => [
            node,
            memberIdHex(m.id),
            m.hostname,
            m.peerUrls.join(","),
            m.clientUrls.join(","),
            String(m.isLearner),
          ]),
        json: (m) => ({
          id: memberIdHex(m.id),
          hostname: m.hostname,
          peerUrls: m.peerUrls,
          clientUrls: m.clientUrls,
          learner: m.isLearner,
        }),
      });
    } finally {
      client.close();
    }
  },
});
