// talosctl mounts (mount): every node's kernel mount table with the space of each filesystem
// in decimal GB.
import { openClient } from "../../../client/index.js";
import type { MountStat } from "../../../gen/machine/machine_pb.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { printNodeTable } from "../../node-table.js";
import { parseOutputFormat } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

const gb = (bytes: number): string => (bytes * 1e-9).toFixed(2);

/** The table row of one mount, or undefined for pseudo filesystems without any size. */
function mountRow(node: string, m: MountStat): string[] | undefined {
  const size = Number(m.size);
  const available = Number(m.available);
  const percentUsed = 100 - (available * 100) / size;
  if (Number.isNaN(percentUsed)) return undefined;
  return [
    node,
    m.filesystem,
    gb(size),
    gb(size - available),
    gb(available),
    `${percentUsed.toFixed(2)}%`,
    m.mountedOn,
  ];
}

export const command = defineCommand({
  args: args.none,
  flags: { ...connectionFlags, ...outputFlag(FORMATS, "table") },
  examples: [
    ["$0", "mounts of every node"],
    ["$0 -o json", "one JSON object per mount, sizes in bytes"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await printNodeTable(ctx, format, nodes, {
        headers: [
          "NODE",
          "FILESYSTEM",
          "SIZE(GB)",
          "USED(GB)",
          "AVAILABLE(GB)",
          "PERCENT USED",
          "MOUNTED ON",
        ],
        fetch: async (node) =>
          (await client.forNode(node).machine.mounts({})).messages.flatMap((m) => m.stats),
        rows: (node, mounts) =>
          mounts.flatMap((m) => {
            const row = mountRow(node, m);
            return row ? [row] : [];
          }),
        json: (m) => ({
          filesystem: m.filesystem,
          size: Number(m.size),
          available: Number(m.available),
          mountedOn: m.mountedOn,
        }),
      });
    } finally {
      client.close();
    }
  },
});
