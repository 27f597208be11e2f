// talosctl dashboard: the live view of the nodes in the terminal (summary with the machine
// log, metrics, resources); --once prints one text snapshot of the Summary screen instead.
import { openClient } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { formatGoDuration } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { Dashboard, snapshot } from "../../dashboard/index.js";
import type { TerminalInput, TerminalOutput } from "../../dashboard/terminal/session.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

/** How long --once waits for slow nodes before printing what it has. */
const ONCE_TIMEOUT_MS = 15_000;

export const command = defineCommand({
  args: args.none,
  long: `Provide a text-based UI to navigate node overview, logs and real-time metrics.

Keyboard shortcuts:

 - h, <Left>, [ - switch one node to the left
 - l, <Right>, ] - switch one node to the right
 - n - open the node selector (every node with its state; Enter to switch)
 - F1, F2, F3 - Summary, Monitor and Resources screens
 - F4 - Network Config screen (metal nodes): <Tab>/<S-Tab> move between fields, <Enter> opens a
   drop-down or saves the platform network config to META
 - j, <Down> - scroll logs/process list down
 - k, <Up> - scroll logs/process list up
 - <C-d> - scroll logs/process list half page down
 - <C-u> - scroll logs/process list half page up
 - <C-f> - scroll logs/process list one page down
 - <C-b> - scroll logs/process list one page up
 - c, m - sort the process list by CPU or by memory (Monitor)
 - <C-z> - pause updates
 - q, <C-c> - quit

With TERM=dumb, or when the output is not a terminal, the Summary screen is printed as plain
text whenever it changes (at most once per update interval).`,
  flags: {
    ...connectionFlags,
    "update-interval": flag.duration({ short: "d", default: "3s", describe: "interval between updates" }),
    once: flag.bool({
      describe: "print one snapshot of the Summary screen of every node as plain text and exit",
    }),
  },
  examples: [
    ["$0", "the nodes of the current context"],
    ["$0 -n 10.5.0.2,10.5.0.3 -d 1s", "two nodes, updated every second"],
    ["$0 --once", "a text snapshot of every node's Summary screen"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const intervalMs = Number(flags["update-interval"] / 1_000_000n);
    if (intervalMs <= 0) {
      throw new UserError(
        `invalid argument "${formatGoDuration(flags["update-interval"])}" for "-d, --update-interval" flag: must be positive`,
      );
    }
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const output = ctx.stdout as TerminalOutput;
      if (flags.once) {
        ctx.stdout.write(
          await snapshot({
            client,
            nodes,
            intervalMs: Math.min(intervalMs, 1_000),
            width: output.isTTY && output.columns ? output.columns : 120,
            timeoutMs: ONCE_TIMEOUT_MS,
            signal: ctx.signal,
          }),
        );
        return;
      }
      const term = ctx.env.TERM ?? "";
      const plain = !output.isTTY || term === "dumb";
      const dashboard = new Dashboard({
        client,
        nodes,
        intervalMs,
        input: ctx.stdin as TerminalInput,
        output,
        plain,
        color: ctx.env.NO_COLOR === undefined || ctx.env.NO_COLOR === "",
        signal: ctx.signal,
      });
      await dashboard.run();
    } finally {
      client.close();
    }
  },
});
