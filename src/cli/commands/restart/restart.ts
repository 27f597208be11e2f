// talosctl restart <id>: sends SIGTERM to a container's task on every node (a system service's
// container, or with -k a Kubernetes container), which its supervisor then starts again.
import {
  completionQuery,
  containerIds,
  KUBERNETES_NAMESPACE,
  openClient,
  restartContainer,
  SYSTEM_NAMESPACE,
} from "../../../client/index.js";
import { ContainerDriver } from "../../../gen/common/common_pb.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { completionConnection, connectionFlags, connectionOptions } from "../../flags.js";

function target(kubernetes: boolean) {
  return kubernetes
    ? { namespace: KUBERNETES_NAMESPACE, driver: ContainerDriver.CRI }
    : { namespace: SYSTEM_NAMESPACE, driver: ContainerDriver.CONTAINERD };
}

export const command = defineCommand({
  use: "<id>",
  args: args.exact(1),
  flags: {
    ...connectionFlags,
    kubernetes: flag.bool({ short: "k", describe: "use the k8s.io containerd namespace" }),
    "use-cri": flag.bool({ hidden: true, describe: "use the CRI driver" }),
  },
  examples: [
    ["$0 apid", "restarts apid's container"],
    ["$0 -k kube-system/kube-scheduler-cp-1:kube-scheduler", "restarts a Kubernetes container"],
  ],
  completePositional: async (index, ctx, input) => {
    if (index !== 0) return [];
    const kubernetes = input.flags.kubernetes === true;
    return completionQuery(completionConnection(input), ctx, (client, nodes) =>
      containerIds(client, nodes, target(kubernetes)),
    );
  },
  async handler({ flags, args }, ctx: CliContext) {
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await restartContainer(client, nodes, { ...target(flags.kubernetes), id: args[0]! }, ctx.signal);
    } finally {
      client.close();
    }
  },
});
