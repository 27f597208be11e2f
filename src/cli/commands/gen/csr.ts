// talosctl gen csr: a certificate signing request for a private key, asking for the given roles
// (as organizations) and IP address; written beside the key as <key without extension>.csr.
import fs from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import type { Argv } from "yargs";
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
import { bool, defineCommand, slice, str } from "../../command.js";

export const command = defineCommand({
  builder: (y: Argv) =>
    y
      .option("key", {
        type: "string",
        demandOption: true,
        describe: "path to the PEM encoded private key (Ed25519, ECDSA or RSA)",
      })
      .option("ip", {
        type: "string",
        demandOption: true,
        describe: "generate the certificate for this IP address",
      })
      .option("roles", { type: "string", array: true, default: [ROLE.admin], describe: "roles" })
      .option("force", {
        alias: "f",
        type: "boolean",
        default: false,
        describe: "will overwrite existing files",
      })
      .example("$0 --key admin.key --ip 10.5.0.2", "write admin.csr")
      .example("$0 --key ops.key --ip 10.5.0.2 --roles os:operator", "a request for the operator role"),
  async handler(args, ctx) {
    const keyFile = str(args, "key") ?? "";
    const ip = str(args, "ip") ?? "";
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
    const roles = parseRoles(slice(args, "roles"));
    const unknown = unknownRolesMessage(roles);
    if (unknown) throw new UserError(unknown);

    const csr = createCertificateSigningRequest({ key, organizations: roles.roles, ips: [ip] });
    const out = `${keyFile.slice(0, keyFile.length - path.extname(keyFile).length)}.csr`;
    writeSecretFiles([{ path: path.resolve(ctx.cwd, out), shown: out, data: csr }], {
      force: bool(args, "force"),
    });
  },
});
