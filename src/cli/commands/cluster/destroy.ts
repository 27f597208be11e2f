// talosctl cluster destroy: stops a local cluster's node processes (those still running) and
// removes its state directory.
import fs from "node:fs";
import { clusterDir, removeClusterDir, stopNodes } from "../../../client/cluster/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { clusterFlags, clusterOptions } from "./flags.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...clusterFlags,
    force: flag.bool({ short: "f", describe: "succeed even when the cluster does not exist" }),
  },
  examples: [["$0 --name demo", 'stop the nodes of "demo" and remove its state']],
  async handler({ flags }, ctx: CliContext) {
    const { name, stateRoot } = clusterOptions(flags, ctx);
    const dir = clusterDir(stateRoot, name);
    if (!fs.existsSync(dir)) {
      if (flags.force) return;
      throw new UserError(`cluster ${JSON.stringify(name)} not found: no state in ${JSON.stringify(dir)}`);
    }
    await stopNodes(dir, (line) => ctx.stderr.write(`${line}\n`));
    ctx.stderr.write("removing state directory\n");
    removeClusterDir(dir);
  },
});
