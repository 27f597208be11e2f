// talosctl version: the client's version, and (with a connection) each node's.
import type { Version } from "../../../gen/machine/machine_pb.js";
import { buildSha, NAME, osArch, TALOS_VERSION } from "../../../version.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, insecureFlags, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";

export interface ClientVersion {
  tag: string;
  sha: string;
  built: string;
  runtime: string;
  os: string;
  arch: string;
}

export function clientVersion(): ClientVersion {
  const [os, arch] = osArch().split("/") as [string, string];
  return { tag: TALOS_VERSION, sha: buildSha(), built: "", runtime: `node ${process.version}`, os, arch };
}

export function renderClientVersion(v: ClientVersion, short: boolean): string {
  if (short) return `Client:\n${NAME} ${v.tag}\n`;
  return [
    "Client:",
    `\tTag:         ${v.tag}`,
    `\tSHA:         ${v.sha}`,
    `\tBuilt:       ${v.built}`,
    `\tRuntime:     ${v.runtime}`,
    `\tOS/Arch:     ${v.os}/${v.arch}`,
    "",
  ].join("\n");
}

/** One node's block under `Server:`. */
export function renderServerVersion(node: string, message: Version | undefined): string {
  const v = message?.version;
  const enabled = message?.features?.rbac ? ["RBAC"] : [];
  return [
    `\tNODE:        ${node}`,
    `\tTag:         ${v?.tag ?? ""}`,
    `\tSHA:         ${v?.sha ?? ""}`,
    `\tBuilt:       ${v?.built ?? ""}`,
    `\tGo version:  ${v?.goVersion ?? ""}`,
    `\tOS/Arch:     ${v?.os ?? ""}/${v?.arch ?? ""}`,
    `\tEnabled:     ${enabled.join(", ")}`,
    "",
  ].join("\n");
}

/** The `-o json` object of one node. */
function serverJson(node: string, message: Version | undefined): Record<string, unknown> {
  const v = message?.version;
  return {
    node,
    tag: v?.tag ?? "",
    sha: v?.sha ?? "",
    built: v?.built ?? "",
    goVersion: v?.goVersion ?? "",
    os: v?.os ?? "",
    arch: v?.arch ?? "",
    platform: { name: message?.platform?.name ?? "", mode: message?.platform?.mode ?? "" },
    features: { rbac: message?.features?.rbac ?? false },
  };
}

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    ...insecureFlags,
    ...outputFlag(["text", "json"], "text"),
    client: flag.bool({ describe: "print client version only" }),
    short: flag.bool({ describe: "print the short version" }),
    json: flag.bool({ hidden: true, describe: "print as JSON" }),
  },
  examples: [
    ["$0 --client", "print the client's version"],
    ["$0 -n 10.5.0.2", "print the client's and a node's version"],
    ["$0 -n 10.5.0.2 -o json", "one JSON object for the client, then one per node"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, ["text", "json"]);
    const v = clientVersion();
    const protoJson = flags.json;
    const asJson = format.kind === "json";
    const clientOnly = flags.client;
    if (protoJson) {
      if (clientOnly) {
        ctx.stdout.write(`${JSON.stringify({ client: v })}\n`);
        return;
      }
    } else if (asJson) {
      ctx.stdout.write(`${JSON.stringify({ client: v }, null, 2)}\n`);
      if (clientOnly) return;
    } else {
      ctx.stdout.write(renderClientVersion(v, flags.short));
      if (clientOnly) return;
      // Printed before connecting, as talosctl does: a connection problem follows it.
      ctx.stdout.write("Server:\n");
    }

    // The client and the wire code load only now: `version --client` needs neither.
    const [{ toJsonString }, { fanOut, openClient, throwIfAnyFailed }, { VersionSchema }] = await Promise.all(
      [
        import("@bufbuild/protobuf"),
        import("../../../client/index.js"),
        import("../../../gen/machine/machine_pb.js"),
      ],
    );
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const results = await fanOut(
        nodes,
        async (node) => (await client.forNode(node).machine.version({})).messages,
        {
          signal: ctx.signal,
          onResult: (r) => {
            if (!r.ok) {
              if (asJson)
                ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message }, null, 2)}\n`);
              return;
            }
            // A proxy aggregating several nodes answers with one message each; one node, one message.
            const messages = r.value.length > 0 ? r.value : [undefined];
            for (const m of messages) {
              if (protoJson) ctx.stdout.write(`${m ? toJsonString(VersionSchema, m) : "{}"}\n`);
              else if (asJson) ctx.stdout.write(`${JSON.stringify(serverJson(r.node, m), null, 2)}\n`);
              else ctx.stdout.write(renderServerVersion(r.node, m));
            }
          },
        },
      );
      throwIfAnyFailed(results, (node, err) => `error getting version from node ${node}: ${err.message}`);
    } finally {
      client.close();
    }
  },
});
