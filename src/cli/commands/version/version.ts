// talosctl version: the client's version, and (with a connection) each node's.
import type { Argv } from "yargs";
import { UserError } from "../../../errors.js";
import { buildSha, NAME, osArch, TALOS_VERSION } from "../../../version.js";
import { bool, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags, withInsecureFlags } from "../../flags.js";

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

export const command = defineCommand({
  builder: (y: Argv) =>
    withInsecureFlags(withConnectionFlags(y))
      .option("client", { type: "boolean", default: false, describe: "print client version only" })
      .option("short", { type: "boolean", default: false, describe: "print the short version" })
      .option("json", { type: "boolean", default: false, hidden: true, describe: "print as JSON" })
      .example("$0 --client", "print the client's version")
      .example("$0 -n 10.5.0.2", "print the client's and a node's version"),
  async handler(args, ctx: CliContext) {
    const v = clientVersion();
    if (bool(args, "json")) {
      if (bool(args, "client")) {
        ctx.stdout.write(`${JSON.stringify({ client: v })}\n`);
        return;
      }
    } else {
      ctx.stdout.write(renderClientVersion(v, bool(args, "short")));
    }
    if (bool(args, "client")) return;
    throw new UserError("talking to nodes is not available in this build yet: use --client");
  },
});
