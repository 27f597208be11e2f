// talosctl stats: memory and CPU use of every node's system containers (or with -k its
// Kubernetes containers), nested under their pods like `containers`.
import { KUBERNETES_NAMESPACE, openClient, SYSTEM_NAMESPACE } from "../../../client/index.js";
import { ContainerDriver } from "../../../gen/common/common_pb.js";
import type { Stat } from "../../../gen/machine/machine_pb.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { printNodeTable } from "../../node-table.js";
import { parseOutputFormat } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

/** Rows sorted by id; memory in MB (2^20 bytes) with two decimals, CPU as the raw counter. */
function statRows(node: string, list: readonly Stat[]): string[][] {
  return [...list]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((s) => [
      node,
      s.namespace,
      s.podId !== "" && s.id !== s.podId ? `└─ ${s.id}` : s.id,
      (Number(s.memoryUsage) / 1024 / 1024).toFixed(2),
      String(s.cpuUsage),
    ]);
}

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    ...outputFlag(FORMATS, "table"),
    kubernetes: flag.bool({ short: "k", describe: "use the k8s.io containerd namespace" }),
    "use-cri": flag.bool({ hidden: true, describe: "use the CRI driver" }),
  },
  examples: [
    ["$0", "stats of every node's system containers"],
    ["$0 -k", "stats of the Kubernetes containers"],
    ["$0 -o json", "one JSON object per container, memory in bytes"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const kubernetes = flags.kubernetes;
    const request = {
      namespace: kubernetes ? KUBERNETES_NAMESPACE : SYSTEM_NAMESPACE,
      driver: kubernetes || flags["use-cri"] ? ContainerDriver.CRI : ContainerDriver.CONTAINERD,
    };
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await printNodeTable(ctx, format, nodes, {
        headers: ["NODE", "NAMESPACE", "ID", "MEMORY(MB)", "CPU"],
        fetch: async (node) =>
          (await client.forNode(node).machine.stats(request)).messages.flatMap((m) => m.stats),
        rows: statRows,
        json: (s) => ({
          namespace: s.namespace,
          id: s.id,
          podId: s.podId,
          name: s.name,
          memoryUsage: Number(s.memoryUsage),
          cpuUsage: Number(s.cpuUsage),
        }),
      });
    } finally {
      client.close();
    }
  },
});
