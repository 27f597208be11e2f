// Flags every `talosctl cluster` subcommand shares: the cluster's name and the state root.
import path from "node:path";
import { checkClusterName, DEFAULT_CLUSTER_NAME } from "../../../client/cluster/index.js";
import { talosHome } from "../../../clientconfig/index.js";
import { type FlagValues, flag } from "../../command.js";
import type { CliContext } from "../../context.js";

export const clusterFlags = {
  name: flag.string({ default: DEFAULT_CLUSTER_NAME, global: true, describe: "the name of the cluster" }),
  state: flag.string({
    global: true,
    describe: "directory of local cluster state (default <talos home>/clusters)",
  }),
} as const;

export function clusterOptions(
  flags: FlagValues<typeof clusterFlags>,
  ctx: CliContext,
): { name: string; stateRoot: string } {
  checkClusterName(flags.name);
  const stateRoot =
    flags.state !== ""
      ? path.resolve(ctx.cwd, flags.state)
      : path.join(talosHome(ctx.env, ctx.homedir), "clusters");
  return { name: flags.name, stateRoot };
}
