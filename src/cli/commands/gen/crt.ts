// talosctl gen crt: signs a CSR with a CA (<ca>.crt and <ca>.key) into a client certificate
// <name>.crt (mode 0600), valid for --hours.
import fs from "node:fs";
import path from "node:path";
import { errorMessage, UserError } from "../../../errors.js";
import { readError } from "../../../fsutil/index.js";
import {
  loadCertificateAuthority,
  parseCertificatePem,
  parsePrivateKeyPem,
  signCertificateRequest,
  writeSecretFiles,
} from "../../../pki/index.js";
import { args, defineCommand, flag } from "../../command.js";
import { forceFlag, positiveHours } from "./flags.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...forceFlag,
    name: flag.string({ required: true, describe: "the basename of the generated file" }),
    ca: flag.string({
      required: true,
      describe: "path of the CA without extension (reads <ca>.crt and <ca>.key)",
    }),
    csr: flag.string({ required: true, describe: "path to the PEM encoded CERTIFICATE REQUEST" }),
    hours: flag.int({
      default: 24,
      describe: "the hours from now on which the certificate validity period ends",
    }),
  },
  examples: [
    ["$0 --ca talos --csr admin.csr --name admin", "sign admin.csr with talos.crt/talos.key into admin.crt"],
  ],
  async handler({ flags }, ctx) {
    const { name, ca, csr: csrFile } = flags;
    if (name === "") throw new UserError("--name must not be empty");
    if (ca === "") throw new UserError("--ca must not be empty");
    const hours = positiveHours(flags.hours);
    const read = (file: string) => {
      try {
        return fs.readFileSync(path.resolve(ctx.cwd, file), "utf8");
      } catch (err) {
        throw readError(file, err);
      }
    };
    const named = <T>(file: string, parse: () => T): T => {
      try {
        return parse();
      } catch (err) {
        throw new UserError(`${file}: ${errorMessage(err)}`, { cause: err });
      }
    };

    const crtFile = `${ca}.crt`;
    const keyFile = `${ca}.key`;
    const crt = read(crtFile);
    const key = read(keyFile);
    const cert = named(crtFile, () => parseCertificatePem(crt));
    named(keyFile, () => parsePrivateKeyPem(key));
    if (!cert.isCA)
      throw new UserError(`${crtFile}: not a CA certificate (basic constraints do not say CA:TRUE)`);
    const authority = named(keyFile, () => loadCertificateAuthority({ crt, key }));
    const csr = read(csrFile);
    const signed = named(csrFile, () =>
      signCertificateRequest({ ca: authority, csr, now: ctx.now(), ttlMs: hours * 3_600_000 }),
    );
    writeSecretFiles([{ path: path.resolve(ctx.cwd, `${name}.crt`), shown: `${name}.crt`, data: signed }], {
      force: flags.force,
    });
  },
});
