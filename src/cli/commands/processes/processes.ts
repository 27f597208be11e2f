// talosctl processes (p, ps): every node's processes, biggest resident memory first (or most
// CPU time first with -s cpu).
import { openClient } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import type { ProcessInfo } from "../../../gen/machine/machine_pb.js";
import { bytesSI } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { printNodeTable } from "../../node-table.js";
import { parseOutputFormat } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;
const SORTS = ["rss", "cpu"] as const;

/**
 * The command line shown for a process: its arguments with the first one replaced by the
 * full executable path when they name the same program; non-printable characters as spaces.
 */
function commandLine(p: ProcessInfo): string {
  let line: string;
  const first = p.args.trim().split(/\s+/)[0] ?? "";
  const exe = p.executable.trim().split(/\s+/)[0] ?? "";
  if (p.executable === "") line = p.command;
  else if (p.args !== "" && first === exe.slice(exe.lastIndexOf("/") + 1))
    line = p.args.replace(first, p.executable);
  else line = p.args !== "" ? p.args : p.command;
  return line.replace(/[\u0000-\u001f\u007f-\u009f]/g, " ");
}

function sortProcesses(list: ProcessInfo[], by: (typeof SORTS)[number]): ProcessInfo[] {
  return by === "cpu"
    ? list.sort((a, b) => b.cpuTime - a.cpuTime)
    : list.sort((a, b) =>
        b.residentMemory > a.residentMemory ? 1 : b.residentMemory < a.residentMemory ? -1 : 0,
      );
}

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    ...outputFlag(FORMATS, "table"),
    sort: flag.string({
      short: "s",
      default: "rss",
      choices: SORTS,
      describe: "column to sort output by: rss or cpu",
    }),
  },
  examples: [
    ["$0", "processes of every node, biggest memory first"],
    ["$0 -s cpu", "most CPU time first"],
    ["$0 -o json", "one JSON object per process"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const sort = flags.sort;
    if (!(SORTS as readonly string[]).includes(sort)) {
      throw new UserError(`invalid argument ${JSON.stringify(sort)} for "-s, --sort" flag: use rss or cpu`);
    }
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await printNodeTable(ctx, format, nodes, {
        headers: ["NODE", "PID", "STATE", "THREADS", "CPU-TIME", "VIRTMEM", "RESMEM", "LABEL", "COMMAND"],
        fetch: async (node) =>
          sortProcesses(
            (await client.forNode(node).machine.processes({})).messages.flatMap((m) => m.processes),
            sort as (typeof SORTS)[number],
          ),
        rows: (node, processes) =>
          processes.map((p) => [
            node,
            String(p.pid),
            p.state,
            String(p.threads),
            p.cpuTime.toFixed(2),
            bytesSI(p.virtualMemory),
            bytesSI(p.residentMemory),
            p.label,
            commandLine(p),
          ]),
        json: (p) => ({
          pid: p.pid,
          ppid: p.ppid,
          state: p.state,
          threads: p.threads,
          cpuTime: p.cpuTime,
          virtualMemory: Number(p.virtualMemory),
          residentMemory: Number(p.residentMemory),
          command: p.command,
          executable: p.executable,
          args: p.args,
          label: p.label,
        }),
      });
    } finally {
      client.close();
    }
  },
});
