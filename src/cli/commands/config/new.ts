// talosctl config new [<path>]: asks one node to issue a client certificate with the given
// roles and writes the talosconfig it returns, with this client's endpoints filled in.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { openClient, requireOneNode, toRpcError } from "../../../client/index.js";
import { encodeClientConfig, parseClientConfig } from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { writeError, writeTarget } from "../../../fsutil/index.js";
import { parseRoles, unknownRolesMessage } from "../../../pki/index.js";
import { formatGoDuration, toProtoDuration } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

/** The new talosconfig holds a private key: owner-only, like every talosconfig. */
const FILE_MODE = 0o600;

export const command = defineCommand({
  use: "[<path>]",
  args: args.range(0, 1),
  flags: {
    ...connectionFlags,
    roles: flag.stringSlice({ default: ["os:admin"], describe: "roles" }),
    "crt-ttl": flag.duration({ default: "8760h0m0s", describe: "certificate TTL" }),
  },
  examples: [
    ["$0 -n 10.5.0.2 reader.talosconfig --roles os:reader", "a read-only talosconfig"],
    ["$0 -n 10.5.0.2 --roles os:operator --crt-ttl 24h", "an operator certificate valid for a day"],
  ],
  async handler({ flags, args: [target] }, ctx: CliContext) {
    const given = target || "talosconfig";
    const file = path.resolve(ctx.cwd, given);
    const parsed = parseRoles(flags.roles);
    const unknown = unknownRolesMessage(parsed);
    if (unknown !== undefined) throw new UserError(unknown);
    if (parsed.roles.length === 0) throw new UserError("--roles: at least one role is required");
    const ttl = flags["crt-ttl"];
    if (ttl <= 0n)
      throw new UserError(`--crt-ttl: the certificate TTL must be positive (got ${formatGoDuration(ttl)})`);
    if (fs.existsSync(file)) throw new UserError(`talosconfig file already exists: "${given}"`);

    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = requireOneNode("config new", nodes);
      let talosconfig: Uint8Array;
      try {
        const reply = await client
          .forNode(node)
          .machine.generateClientConfiguration({ roles: parsed.roles, crtTtl: toProtoDuration(ttl) });
        talosconfig = reply.messages[0]?.talosconfig ?? new Uint8Array();
      } catch (err) {
        throw new UserError(
          `error generating client configuration: ${toRpcError(err, ctx.signal.aborted).message}`,
          {
            cause: err,
          },
        );
      }
      const config = parseClientConfig(talosconfig, `returned by node ${node}`);
      if (Object.keys(config.contexts).length === 0) {
        throw new UserError(`node ${node} returned a talosconfig without contexts`);
      }
      for (const context of Object.values(config.contexts)) context.endpoints = [...client.endpoints];
      writeExclusive(file, given, encodeClientConfig(config));
    } finally {
      client.close();
    }
  },
});

/**
 * Writes the file atomically without ever replacing one that appeared meanwhile: written
 * aside and synced, then hard-linked into place (a link never overwrites).
 */
function writeExclusive(link: string, shown: string, data: string): void {
  let file: string;
  try {
    // A dangling symlink names the file to create, as opening through it would.
    file = writeTarget(link).path;
  } catch (err) {
    throw writeError(shown, err);
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    const fd = fs.openSync(tmp, "wx", FILE_MODE);
    try {
      fs.writeSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.chmodSync(tmp, FILE_MODE);
    fs.linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new UserError(`talosconfig file already exists: "${shown}"`);
    }
    throw writeError(shown, err);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
