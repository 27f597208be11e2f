// talosctl inspect dependencies: the node's controllers and the resources they read and write,
// as a Graphviz graph on stdout (`talosctl inspect dependencies | dot -Tpng > graph.png`).
import {
  controllerDependencies,
  graphResources,
  openClient,
  renderDependencies,
  renderDependenciesWithResources,
  requireOneNode,
  toRpcError,
} from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

export const command = defineCommand({
  args: args.none,
  long: `Inspect controller-resource dependencies as graphviz graph.

Pipe the output of the command through the "dot" program (part of graphviz package)
to render the graph:

    talosctl inspect dependencies | dot -Tpng > graph.png`,
  flags: {
    ...connectionFlags,
    "with-resources": flag.bool({ describe: "display live resource information with dependencies" }),
  },
  examples: [
    ["$0 -n 10.5.0.2 | dot -Tpng > graph.png", "the graph by resource type, rendered"],
    ["$0 -n 10.5.0.2 --with-resources", "every live resource, linked to its controllers"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = client.forNode(requireOneNode("inspect dependencies", nodes));
      let edges: Awaited<ReturnType<typeof controllerDependencies>>;
      try {
        edges = await controllerDependencies(node);
      } catch (err) {
        throw new UserError(`error getting controller runtime dependencies: ${toRpcError(err).message}`, {
          cause: err,
        });
      }
      const text = flags["with-resources"]
        ? renderDependenciesWithResources(edges, await graphResources(node, edges))
        : renderDependencies(edges);
      ctx.stdout.write(text);
    } finally {
      client.close();
    }
  },
});
