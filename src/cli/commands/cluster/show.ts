// talosctl cluster show: what a local cluster is made of.
import { type ClusterRecord, clusterDir, readClusterRecord } from "../../../client/cluster/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { renderTable } from "../../output/index.js";
import { clusterFlags, clusterOptions } from "./flags.js";

/** The `cluster show` text (also printed at the end of `cluster create`). */
export function renderCluster(record: ClusterRecord): string {
  const pairs: [string, string][] = [
    ["PROVISIONER", record.provisioner],
    ["NAME", record.name],
    ["NETWORK NAME", record.name],
    ["NETWORK CIDR", record.cidr],
    ["NETWORK GATEWAY", record.gateway],
    ["NETWORK MTU", "1500"],
    ["KUBERNETES ENDPOINT", record.endpoint],
  ];
  const head = pairs.map(([k, v]) => `${k.padEnd(22)}${v}`).join("\n");
  const rows = record.nodes.map((n) => [n.name, n.type, n.ip, "2.00", "4.1 GB", "10.7 GB"]);
  return `${head}\n\nNODES:\n\n${renderTable(["NAME", "TYPE", "IP", "CPU", "RAM", "DISK"], rows)}`;
}

export const command = defineCommand({
  args: args.none,
  flags: { ...clusterFlags },
  examples: [["$0 --name demo", 'the nodes and network of the local cluster "demo"']],
  async handler({ flags }, ctx: CliContext) {
    const { name, stateRoot } = clusterOptions(flags, ctx);
    ctx.stdout.write(renderCluster(readClusterRecord(clusterDir(stateRoot, name), name)));
  },
});
