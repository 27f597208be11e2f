// What the wipe commands share: the insecure (maintenance) flags talosctl gives them, and
// running one call on every node with talosctl's wording of each node's failure.
import { fanOut, type NodeClient, openClient, throwIfAnyFailed } from "../../../client/index.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, insecureFlags } from "../../flags.js";

export const wipeFlags = {
  ...connectionFlags,
  insecure: {
    ...insecureFlags.insecure,
    describe: "use the insecure (encrypted with no auth) maintenance service",
  },
  "cert-fingerprint": {
    ...insecureFlags["cert-fingerprint"],
    describe:
      "list of server certificate fingerprints to accept (defaults to no check, only used with --insecure flag)",
  },
} as const;

/** Runs `call` on every node; failures become `<prefix> <node>: <error>` lines, exit 1. */
export async function onEveryNode(
  flags: Parameters<typeof connectionOptions>[0],
  ctx: CliContext,
  prefix: string,
  call: (node: NodeClient) => Promise<void>,
): Promise<void> {
  const { client, nodes } = openClient(connectionOptions(flags), ctx);
  try {
    const results = await fanOut(nodes, (node) => call(client.forNode(node)), { signal: ctx.signal });
    throwIfAnyFailed(results, (node, err) => `${prefix} ${node}: ${err.message}`);
  } finally {
    client.close();
  }
}
