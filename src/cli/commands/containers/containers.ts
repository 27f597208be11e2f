// talosctl containers (c): every node's system containers, or with -k its Kubernetes
// containers, pods first with their containers nested under them.
import { KUBERNETES_NAMESPACE, openClient, SYSTEM_NAMESPACE } from "../../../client/index.js";
import { ContainerDriver } from "../../../gen/common/common_pb.js";
import type { ContainerInfo } from "../../../gen/machine/machine_pb.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { printNodeTable } from "../../node-table.js";
import { parseOutputFormat } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

/** Containers sorted by id; a container inside a pod shows as `└─ <id>` under the pod's row. */
function containerRows(node: string, list: readonly ContainerInfo[]): string[][] {
  return [...list]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((c) => [
      node,
      c.namespace,
      c.podId !== "" && c.id !== c.podId ? `└─ ${c.id}` : c.id,
      c.image,
      String(c.pid),
      c.status,
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
    ["$0", "system containers of every node"],
    ["$0 -k", "Kubernetes pods and their containers"],
    ["$0 -o json", "one JSON object per container"],
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
        headers: ["NODE", "NAMESPACE", "ID", "IMAGE", "PID", "STATUS"],
        fetch: async (node) =>
          (await client.forNode(node).machine.containers(request)).messages.flatMap((m) => m.containers),
        rows: containerRows,
        json: (c) => ({
          namespace: c.namespace,
          id: c.id,
          podId: c.podId,
          name: c.name,
          image: c.image,
          pid: c.pid,
          status: c.status,
        }),
      });
    } finally {
      client.close();
    }
  },
});
