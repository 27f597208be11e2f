// talosctl gen key: an Ed25519 private key written as <name>.key (mode 0600).
import path from "node:path";
import type { Argv } from "yargs";
import { UserError } from "../../../errors.js";
import { encodePrivateKeyPem, generatePrivateKey, writeSecretFiles } from "../../../pki/index.js";
import { bool, defineCommand, str } from "../../command.js";

export const command = defineCommand({
  builder: (y: Argv) =>
    y
      .option("name", { type: "string", demandOption: true, describe: "the basename of the generated file" })
      .option("force", {
        alias: "f",
        type: "boolean",
        default: false,
        describe: "will overwrite existing files",
      })
      .example("$0 --name admin", "write admin.key"),
  async handler(args, ctx) {
    const name = str(args, "name") ?? "";
    if (name.trim() === "") throw new UserError("--name must not be empty");
    const pem = encodePrivateKeyPem(await generatePrivateKey("ed25519"));
    writeSecretFiles([{ path: path.resolve(ctx.cwd, `${name}.key`), shown: `${name}.key`, data: pem }], {
      force: bool(args, "force"),
    });
  },
});
