// Flags every `talosctl cluster` subcommand shares: the cluster's name and the state root.
import path from "node:path";
import type { Argv } from "yargs";
import { checkClusterName, DEFAULT_CLUSTER_NAME } from "../../../client/cluster/index.js";
import { talosHome } from "../../../clientconfig/index.js";
import { type Args, str } from "../../command.js";
import type { CliContext } from "../../context.js";

export function clusterFlags(y: Argv): Argv {
  return y
    .option("name", { type: "string", default: DEFAULT_CLUSTER_NAME, describe: "the name of the cluster" })
    .option("state", {
      type: "string",
      describe: "directory of local cluster state (default <talos home>/clusters)",
    });
}

export function clusterOptions(args: Args, ctx: CliContext): { name: string; stateRoot: string } {
  const name = str(args, "name") ?? DEFAULT_CLUSTER_NAME;
  checkClusterName(name);
  const given = str(args, "state");
  const stateRoot =
    given !== undefined && given !== ""
      ? path.resolve(ctx.cwd, given)
      : path.join(talosHome(ctx.env, ctx.homedir), "clusters");
  return { name, stateRoot };
}
