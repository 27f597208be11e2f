// talosctl config add <name>: adds a context (or replaces one of that name) with the CA, client
// certificate and key read from files and stored base64-encoded.
import fs from "node:fs";
import path from "node:path";
import { type ClientContext, updateClientConfig } from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { readError } from "../../../fsutil/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags } from "../../flags.js";

export const command = defineCommand({
  use: "<context>",
  args: args.exact(1),
  flags: {
    ...connectionFlags,
    ca: flag.string({ describe: "the path to the CA certificate" }),
    crt: flag.string({ describe: "the path to the certificate" }),
    key: flag.string({ describe: "the path to the key" }),
  },
  examples: [["$0 prod --ca ca.crt --crt admin.crt --key admin.key", "add a context with credentials"]],
  async handler({ flags, args: [name = ""] }, ctx) {
    if (name.trim() === "") throw new UserError("context name must not be empty");
    const ca = flags.ca || undefined;
    const crt = flags.crt || undefined;
    const key = flags.key || undefined;
    if ((crt === undefined) !== (key === undefined)) {
      throw new UserError(
        `--crt and --key must be given together (got only --${crt === undefined ? "key" : "crt"})`,
      );
    }

    // Read every file before touching the talosconfig, so a bad path changes nothing.
    const added: ClientContext = { endpoints: [] };
    if (ca !== undefined) added.ca = readPemAsBase64(ctx, "ca", ca);
    if (crt !== undefined) added.crt = readPemAsBase64(ctx, "crt", crt);
    if (key !== undefined) added.key = readPemAsBase64(ctx, "key", key);

    await updateClientConfig(
      { path: flags.talosconfig, env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
      (config) => {
        config.contexts[name] = added;
        // A file with no current context is of no use to node commands until one is chosen;
        // the first context added is the obvious choice.
        if (config.context === "") config.context = name;
      },
    );
  },
});

function readPemAsBase64(ctx: CliContext, flag: string, file: string): string {
  const full = path.resolve(ctx.cwd, file);
  let data: Buffer;
  try {
    data = fs.readFileSync(full);
  } catch (err) {
    throw new UserError(`--${flag}: ${readError(full, err).message}`, { cause: err });
  }
  if (!data.toString("latin1").includes("-----BEGIN ")) {
    throw new UserError(`--${flag}: ${full} is not a PEM file`);
  }
  return data.toString("base64");
}
