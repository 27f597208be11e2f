// talosctl time: each node's clock next to the time its NTP server (or --check <server>)
// reports.

import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { openClient } from "../../../client/index.js";
import { TimeService } from "../../../gen/time/time_pb.js";
import { goTimeString } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { printNodeTable } from "../../node-table.js";
import { parseOutputFormat } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

const goTime = (t: Timestamp | undefined): string => (t ? goTimeString(t.seconds, t.nanos) : "");
const isoTime = (t: Timestamp | undefined): string | null => (t ? timestampDate(t).toISOString() : null);

export const command = defineCommand({
  use: "[--check server]",
  args: args.none,
  flags: {
    ...connectionFlags,
    ...outputFlag(FORMATS, "table"),
    check: flag.string({ describe: "check the node's time against this NTP server" }),
  },
  examples: [
    ["$0", "each node's time and its NTP server's"],
    ["$0 --check time.cloudflare.com", "compare with another NTP server"],
    ["$0 -o json", "one JSON object per node"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const server = flags.check;
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await printNodeTable(ctx, format, nodes, {
        headers: ["NODE", "NTP-SERVER", "NODE-TIME", "NTP-SERVER-TIME"],
        fetch: async (node) => {
          const time = client.forNode(node).service(TimeService);
          const reply = server !== "" ? await time.timeCheck({ server }) : await time.time({});
          return reply.messages;
        },
        rows: (node, times) => times.map((t) => [node, t.server, goTime(t.localtime), goTime(t.remotetime)]),
        json: (t) => ({
          server: t.server,
          nodeTime: isoTime(t.localtime),
          serverTime: isoTime(t.remotetime),
        }),
      });
    } finally {
      client.close();
    }
  },
});
