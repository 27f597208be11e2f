// talosctl config add <name>: adds a context (or replaces one of that name) with the CA, client
// certificate and key read from files and stored base64-encoded.
import fs from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import { type ClientContext, updateClientConfig } from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { readError } from "../../../fsutil/index.js";
import { defineCommand, str } from "../../command.js";
import type { CliContext } from "../../context.js";
import { withConnectionFlags } from "../../flags.js";

export const command = defineCommand({
  args: "<name>",
  builder: (y: Argv) =>
    withConnectionFlags(y)
      .positional("name", { type: "string", describe: "name of the context to add" })
      .option("ca", { type: "string", describe: "the path to the CA certificate" })
      .option("crt", { type: "string", describe: "the path to the certificate" })
      .option("key", { type: "string", describe: "the path to the key" })
      .example("$0 prod --ca ca.crt --crt admin.crt --key admin.key", "add a context with credentials"),
  async handler(args, ctx) {
    const name = str(args, "name") ?? "";
    if (name.trim() === "") throw new UserError("context name must not be empty");
    const ca = str(args, "ca") || undefined;
    const crt = str(args, "crt") || undefined;
    const key = str(args, "key") || undefined;
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
      { path: str(args, "talosconfig"), env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd },
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
