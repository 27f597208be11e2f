// talosctl cluster destroy: stops a local cluster's node processes (those still running) and
// removes its state directory.
import fs from "node:fs";
import type { Argv } from "yargs";
import { clusterDir, removeClusterDir, stopNodes } from "../../../client/cluster/index.js";
import { UserError } from "../../../errors.js";
import { defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { clusterFlags, clusterOptions } from "./flags.js";

export const command = defineCommand({
  examples: [["$0 --name demo", 'stop the nodes of "demo" and remove its state']],
  builder: (y: Argv) =>
    clusterFlags(y).option("force", {
      alias: "f",
      type: "boolean",
      default: false,
      describe: "succeed even when the cluster does not exist",
    }),
  async handler(args, ctx: CliContext) {
    const { name, stateRoot } = clusterOptions(args, ctx);
    const dir = clusterDir(stateRoot, name);
    if (!fs.existsSync(dir)) {
      if (args.force === true) return;
      throw new UserError(`cluster ${JSON.stringify(name)} not found: no state in ${JSON.stringify(dir)}`);
    }
    await stopNodes(dir, (line) => ctx.stderr.write(`${line}\n`));
    ctx.stderr.write("removing state directory\n");
    removeClusterDir(dir);
  },
});
