// talosctl netstat (ss) [<namespace>/<pod>]: the sockets of every node (or of one pod's network
// namespace), with talosctl's flags and columns; --output json gives one object per socket.
import {
  completionQuery,
  fanOut,
  findPodNetns,
  netstatHeaders,
  netstatJson,
  netstatRequest,
  netstatRow,
  openClient,
  podNetworkNamespaces,
  throwIfAnyFailed,
} from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import type { ConnectRecord } from "../../../gen/machine/machine_pb.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { completionConnection, connectionFlags, connectionOptions, oneOf } from "../../flags.js";
import { renderTable } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

export const command = defineCommand({
  use: "[<namespace>/<pod>]",
  long: `Show network connections and sockets.

You can pass an optional argument to view a specific pod's connections.
To do this, format the argument as "namespace/pod".
Note that only pods with a pod network namespace are allowed.
If you don't pass an argument, the command will show host connections.`,
  args: args.max(1),
  flags: {
    ...connectionFlags,
    verbose: flag.bool({ short: "v", describe: "display sockets of all supported transport protocols" }),
    extend: flag.bool({ short: "x", describe: "show detailed socket information" }),
    programs: flag.bool({ short: "p", describe: "show process using socket" }),
    timers: flag.bool({ short: "o", describe: "display timers" }),
    listening: flag.bool({ short: "l", describe: "display listening server sockets" }),
    all: flag.bool({ short: "a", describe: "display all sockets states (default: connected)" }),
    pods: flag.bool({ short: "k", describe: "show sockets used by Kubernetes pods" }),
    tcp: flag.bool({ short: "t", describe: "display only TCP sockets" }),
    udp: flag.bool({ short: "u", describe: "display only UDP sockets" }),
    udplite: flag.bool({ short: "U", describe: "display only UDPLite sockets" }),
    raw: flag.bool({ short: "w", describe: "display only RAW sockets" }),
    ipv4: flag.bool({ short: "4", describe: "display only ipv4 sockets" }),
    ipv6: flag.bool({ short: "6", describe: "display only ipv6 sockets" }),
    output: flag.string({
      default: "table",
      choices: FORMATS,
      validate: oneOf(FORMATS),
      describe: "output mode (table, json)",
    }),
  },
  examples: [
    ["$0 -lp", "listening sockets with their processes"],
    ["$0 -at4", "every IPv4 TCP socket"],
    ["$0 kube-system/coredns-6b4d8c5d8-x2r4q", "the sockets of one pod"],
    ["$0 --output json", "one JSON object per socket"],
  ],
  completePositional: async (index, ctx, input) => {
    if (index !== 0) return [];
    return completionQuery(completionConnection(input), ctx, async (client, nodes) => {
      const { pods } = await podNetworkNamespaces(client, nodes, ctx.signal);
      return [...new Set([...pods.values()].flatMap((m) => [...m.values()]))].sort();
    });
  },
  async handler({ flags, args }, ctx: CliContext) {
    if (flags.pods && args.length > 0) throw new UserError("cannot use --pods and specify a pod");
    const json = flags.output === "json";
    const request = netstatRequest(flags);
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      let pods = new Map<string, Map<string, string>>();
      if (args.length > 0 || flags.pods) {
        const found = await podNetworkNamespaces(client, nodes, ctx.signal);
        pods = found.pods;
        if (found.failed.length > 0 && args.length === 0) {
          throwIfAnyFailed(
            found.failed,
            (node, err) => `error getting containers from node ${node}: ${err.message}`,
          );
        }
      }
      const rows: string[][] = [];
      const print = (node: string, records: readonly ConnectRecord[]): void => {
        for (const r of records) {
          if (json) {
            const pod = flags.pods
              ? r.netns === ""
                ? "-"
                : (pods.get(node)?.get(r.netns) ?? "")
              : undefined;
            ctx.stdout.write(`${JSON.stringify(netstatJson(node, r, pod))}\n`);
          } else rows.push(netstatRow(node, r, flags, pods.get(node)));
        }
      };
      const flush = (): void => {
        if (!json && rows.length > 0) ctx.stdout.write(renderTable(netstatHeaders(flags), rows));
      };
      if (args.length > 0) {
        const target = findPodNetns(pods, args[0]!);
        if (!target) throw new UserError(`pod ${args[0]} not found`);
        const reply = await client.forNode(target.node).machine.netstat({
          ...request,
          netns: { allnetns: false, hostnetwork: false, netns: [target.netns] },
        });
        print(
          target.node,
          reply.messages.flatMap((m) => m.connectrecord),
        );
        flush();
        return;
      }
      const results = await fanOut(
        nodes,
        async (node) =>
          (await client.forNode(node).machine.netstat(request)).messages.flatMap((m) => m.connectrecord),
        {
          signal: ctx.signal,
          onResult: (r) => {
            if (r.ok) print(r.node, r.value);
            else if (json) ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
          },
        },
      );
      flush();
      throwIfAnyFailed(results);
    } finally {
      client.close();
    }
  },
});
