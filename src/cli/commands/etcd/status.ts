// talosctl etcd status: one row per node with its etcd member's state.
import { openClient } from "../../../client/index.js";
import { bytesSI } from "../../../wire/index.js";
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
  examples: [["$0 -n 10.5.0.2,10.5.0.3,10.5.0.4", "the etcd status of three control planes"]],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await printNodeTable(ctx, format, nodes, {
        headers: [
          "NODE",
          "MEMBER",
          "DB SIZE",
          "IN USE",
          "LEADER",
          "RAFT INDEX",
          "RAFT TERM",
          "RAFT APPLIED INDEX",
          "LEARNER",
          "PROTOCOL",
          "STORAGE",
          "ERRORS",
        ],
        fetch: async (node) => {
          const reply = await client.forNode(node).machine.etcdStatus({});
          return reply.messages.map((m) => m.memberStatus).filter((s) => s !== undefined);
        },
        rows: (node, statuses) =>
          statuses.map((s) => {
            const size = Number(s.dbSize);
            const inUse = Number(s.dbSizeInUse);
            const pct = size > 0 ? ((inUse / size) * 100).toFixed(2) : "0.00";
            return [
              node,
              memberIdHex(s.memberId),
              bytesSI(size),
              `${bytesSI(inUse)} (${pct}%)`,
              memberIdHex(s.leader),
              String(s.raftIndex),
              String(s.raftTerm),
              String(s.raftAppliedIndex),
              String(s.isLearner),
              s.protocolVersion,
              s.storageVersion,
              s.errors.join(", "),
            ];
          }),
        json: (s) => ({
          member: memberIdHex(s.memberId),
          dbSize: Number(s.dbSize),
          dbSizeInUse: Number(s.dbSizeInUse),
          leader: memberIdHex(s.leader),
          raftIndex: Number(s.raftIndex),
          raftTerm: Number(s.raftTerm),
          raftAppliedIndex: Number(s.raftAppliedIndex),
          learner: s.isLearner,
          protocol: s.protocolVersion,
          storage: s.storageVersion,
          errors: s.errors,
        }),
      });
    } finally {
      client.close();
    }
  },
});
