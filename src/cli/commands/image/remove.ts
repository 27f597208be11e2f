// talosctl image remove (rm) <image>: removes an image name from a containerd instance of every node.
import {
  containerdInstance,
  fanOut,
  openClient,
  removeNodeImage,
  throwIfAnyFailed,
} from "../../../client/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";
import { namespaceFlag } from "./flags.js";

export const command = defineCommand({
  use: "<image>",
  args: args.exact(1),
  flags: { ...connectionFlags, ...namespaceFlag },
  examples: [["$0 docker.io/library/alpine:latest", "from the Kubernetes namespace of every node"]],
  async handler({ flags, args }, ctx: CliContext) {
    const instance = containerdInstance(flags.namespace);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const results = await fanOut(
        nodes,
        (node) => removeNodeImage(client.forNode(node), instance, args[0]!),
        {
          signal: ctx.signal,
        },
      );
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
