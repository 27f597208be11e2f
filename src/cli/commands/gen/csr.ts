// talosctl gen csr: a certificate signing request for a private key, asking for the given roles
// (as organizations) and IP address; written beside the key as <key without extension>.csr.
import fs from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { errorMessage, UserError } from "../../../errors.js";
import { readError } from "../../../fsutil/index.js";
import {
  createCertificateSigningRequest,
  parsePrivateKeyPem,
  parseRoles,
  ROLE,
  unknownRolesMessage,
  writeSecretFiles,
} from "../../../pki/index.js";
import { args, defineCommand, flag } from "../../command.js";
import { forceFlag } from "./flags.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...forceFlag,
    key: flag.string({
      required: true,
      describe: "path to the PEM encoded private key (Ed25519, ECDSA or RSA)",
    }),
    ip: flag.string({ required: true, describe: "generate the certificate for this IP address" }),
    roles: flag.stringSlice({ default: [ROLE.admin], describe: "roles" }),
  },
  examples: [
    ["$0 --key admin.key --ip 10.5.0.2", "write admin.csr"],
    ["$0 --key ops.key --ip 10.5.0.2 --roles os:operator", "a request for the operator role"],
  ],
  async handler({ flags }, ctx) {
    const { key: keyFile, ip } = flags;
    if (keyFile === "") throw new UserError("--key must not be empty");

    let text: string;
    try {
      text = fs.readFileSync(path.resolve(ctx.cwd, keyFile), "utf8");
    } catch (err) {
      throw readError(keyFile, err);
    }
    let key: ReturnType<typeof parsePrivateKeyPem>;
    try {
      key = parsePrivateKeyPem(text);
    } catch (err) {
      throw new UserError(`${keyFile}: ${errorMessage(err)}`, { cause: err });
    }
    if (isIP(ip) === 0) throw new UserError(`invalid IP: ${ip}`);
    const roles = parseRoles(flags.roles);
    const unknown = unknownRolesMessage(roles);
    if (unknown) throw new UserError(unknown);

    const csr = createCertificateSigningRequest({ key, organizations: roles.roles, ips: [ip] });
    const out = `${keyFile.slice(0, keyFile.length - path.extname(keyFile).length)}.csr`;
    writeSecretFiles([{ path: path.resolve(ctx.cwd, out), shown: out, data: csr }], { force: flags.force });
  },
});
