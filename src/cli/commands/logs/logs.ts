// talosctl logs <id>: a service's (or container's) log from every node, each line prefixed
// with `<node>: `, lines never split; with -f it follows until Ctrl+C, which ends it cleanly.
import type { Argv } from "yargs";
import {
  completionQuery,
  connectionFlagsFrom,
  KUBERNETES_NAMESPACE,
  LineBuffer,
  logIds,
  openClient,
  parseIntFlag,
  SYSTEM_NAMESPACE,
  streamNodes,
  throwIfAnyFailed,
  writeWithBackpressure,
} from "../../../client/index.js";
import { ContainerDriver } from "../../../gen/common/common_pb.js";
import { bool, defineCommand, str } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags, withInsecureFlags, withOutputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";

const FORMATS = ["text", "json"] as const;

export const command = defineCommand({
  args: "<id>",
  examples: [
    ["$0 machined", "the machined log of every node in the context"],
    ["$0 -n 10.5.0.2 etcd -f --tail 20", "the last 20 lines of etcd's log, then new lines as they come"],
    ["$0 -k kube-system/kube-apiserver-cp1:kube-apiserver", "a Kubernetes container's log"],
    ["$0 apid -o json", "one JSON object per line: {node, line}"],
  ],
  completePositional: async (index, ctx, args) => {
    if (index !== 0) return [];
    return completionQuery(args, ctx, (client, nodes) => logIds(client, nodes, bool(args, "kubernetes")));
  },
  builder: (y: Argv) =>
    withOutputFlag(withInsecureFlags(withConnectionFlags(y)), FORMATS, "text")
      .positional("id", { type: "string", describe: "service or container id" })
      .option("follow", {
        alias: "f",
        type: "boolean",
        default: false,
        describe: "specify if the logs should be streamed",
      })
      .option("tail", {
        type: "string",
        default: "-1",
        describe: "lines of log file to display (-1 shows everything, 0 only new lines)",
      })
      .option("kubernetes", {
        alias: "k",
        type: "boolean",
        default: false,
        describe: "use the k8s.io containerd namespace",
      })
      .option("namespace", {
        type: "string",
        describe: `containerd namespace (default "${SYSTEM_NAMESPACE}", or "${KUBERNETES_NAMESPACE}" with -k)`,
      })
      .option("use-cri", { type: "boolean", default: false, hidden: true, describe: "use the CRI driver" }),
  async handler(args, ctx: CliContext) {
    const format = parseOutputFormat(str(args, "output") ?? "text", FORMATS);
    const id = str(args, "id") ?? "";
    const tailLines = parseIntFlag("--tail", str(args, "tail") ?? "-1");
    const kubernetes = bool(args, "kubernetes");
    const namespace = str(args, "namespace") || (kubernetes ? KUBERNETES_NAMESPACE : SYSTEM_NAMESPACE);
    const driver = kubernetes || bool(args, "use-cri") ? ContainerDriver.CRI : ContainerDriver.CONTAINERD;
    const request = { namespace, id, driver, follow: bool(args, "follow"), tailLines };

    const { client, nodes } = openClient(connectionFlagsFrom(args), ctx);
    try {
      const json = format.kind === "json";
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
          await writeWithBackpressure(ctx.stdout, lines, ctx.signal);
          return;
        }
        const text = LineBuffer.lines(lines)
          .map((line) => `${JSON.stringify({ node, line })}\n`)
          .join("");
        await writeWithBackpressure(ctx.stdout, text, ctx.signal);
      };
      const results = await streamNodes(
        nodes,
        (node) => client.forNode(node).machine.logs(request),
        (node, data) => emit(node, bufferOf(node).push(data.bytes)),
        { signal: ctx.signal, onEnd: (node) => emit(node, bufferOf(node).flush()) },
      );
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
