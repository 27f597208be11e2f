// talosctl logs <id>: a service's (or container's) log from every node, each line prefixed
// with `<node>: `, lines never split; with -f it follows until Ctrl+C, which ends it cleanly.
import {
  CoalescingWriter,
  completionQuery,
  KUBERNETES_NAMESPACE,
  LineBuffer,
  logIds,
  openClient,
  SYSTEM_NAMESPACE,
  streamNodes,
  throwIfAnyFailed,
} from "../../../client/index.js";
import { ContainerDriver } from "../../../gen/common/common_pb.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import {
  completionConnection,
  connectionFlags,
  connectionOptions,
  insecureFlags,
  outputFlag,
} from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";

const FORMATS = ["text", "json"] as const;

export const command = defineCommand({
  use: "<service name>",
  args: args.exact(1),
  flags: {
    ...connectionFlags,
    ...insecureFlags,
    ...outputFlag(FORMATS, "text"),
    follow: flag.bool({ short: "f", describe: "specify if the logs should be streamed" }),
    tail: flag.int32({
      default: -1,
      describe: "lines of log file to display (-1 shows everything, 0 only new lines)",
    }),
    kubernetes: flag.bool({ short: "k", describe: "use the k8s.io containerd namespace" }),
    namespace: flag.string({
      describe: `containerd namespace (default "${SYSTEM_NAMESPACE}", or "${KUBERNETES_NAMESPACE}" with -k)`,
    }),
    "use-cri": flag.bool({ hidden: true, describe: "use the CRI driver" }),
  },
  examples: [
    ["$0 machined", "the machined log of every node in the context"],
    ["$0 -n 10.5.0.2 etcd -f --tail 20", "the last 20 lines of etcd's log, then new lines as they come"],
    ["$0 -k kube-system/kube-apiserver-cp1:kube-apiserver", "a Kubernetes container's log"],
    ["$0 apid -o json", "one JSON object per line: {node, line}"],
  ],
  completePositional: async (index, ctx, input) => {
    if (index !== 0) return [];
    const kubernetes = input.flags.kubernetes === true;
    return completionQuery(completionConnection(input), ctx, (client, nodes) =>
      logIds(client, nodes, kubernetes),
    );
  },
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const id = args[0]!;
    const kubernetes = flags.kubernetes;
    const namespace = flags.namespace || (kubernetes ? KUBERNETES_NAMESPACE : SYSTEM_NAMESPACE);
    const driver = kubernetes || flags["use-cri"] ? ContainerDriver.CRI : ContainerDriver.CONTAINERD;
    const request = { namespace, id, driver, follow: flags.follow, tailLines: flags.tail };

    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const json = format.kind === "json";
      const out = new CoalescingWriter(ctx.stdout, ctx.signal);
      const buffers = new Map<string, LineBuffer>();
      const bufferOf = (node: string): LineBuffer => {
        let b = buffers.get(node);
        if (!b) {
          b = new LineBuffer(json ? undefined : Buffer.from(`${node}: `));
          buffers.set(node, b);
        }
        return b;
      };
      const emit = async (node: string, lines: Buffer | undefined): Promise<void> => {
        if (!lines) return;
        if (!json) {
          await out.write(lines);
          return;
        }
        const text = LineBuffer.lines(lines)
          .map((line) => `${JSON.stringify({ node, line })}\n`)
          .join("");
        await out.write(text);
      };
      const results = await streamNodes(
        nodes,
        (node) => client.forNode(node).machine.logs(request),
        (node, data) => emit(node, bufferOf(node).push(data.bytes)),
        { signal: ctx.signal, onEnd: (node) => emit(node, bufferOf(node).flush()) },
      );
      await out.flush();
      if (json) {
        for (const r of results)
          if (!r.ok) ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
      }
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
