// talosctl etcd alarm disarm: disarms the etcd alarms and lists those that were raised.
import { openClient } from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";
import { ALARM_FORMATS, printAlarms } from "./alarms.js";

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags, ...outputFlag(ALARM_FORMATS, "table") },
  examples: [["$0 -n 10.5.0.2", "disarm the etcd alarms (after freeing space: compact, defrag)"]],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, ALARM_FORMATS);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await printAlarms(ctx, format, nodes, async (node) => {
        const reply = await client.forNode(node).machine.etcdAlarmDisarm({});
        return reply.messages.flatMap((m) => m.memberAlarms);
      });
    } finally {
      client.close();
    }
  },
});
