// talosctl gen key: an Ed25519 private key written as <name>.key (mode 0600).
import path from "node:path";
import { UserError } from "../../../errors.js";
import { encodePrivateKeyPem, generatePrivateKey, writeSecretFiles } from "../../../pki/index.js";
import { args, defineCommand, flag } from "../../command.js";
import { forceFlag } from "./flags.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...forceFlag,
    name: flag.string({ required: true, describe: "the basename of the generated file" }),
  },
  examples: [["$0 --name admin", "write admin.key"]],
  async handler({ flags }, ctx) {
    const { name } = flags;
    if (name.trim() === "") throw new UserError("--name must not be empty");
    const pem = encodePrivateKeyPem(await generatePrivateKey("ed25519"));
    writeSecretFiles([{ path: path.resolve(ctx.cwd, `${name}.key`), shown: `${name}.key`, data: pem }], {
      force: flags.force,
    });
  },
});
