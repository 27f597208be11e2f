// talosctl gen crt: signs a CSR with a CA (<ca>.crt and <ca>.key) into a client certificate
// <name>.crt (mode 0600), valid for --hours.
import fs from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import { errorMessage, UserError } from "../../../errors.js";
import { readError } from "../../../fsutil/index.js";
import {
  loadCertificateAuthority,
  parseCertificatePem,
  parsePrivateKeyPem,
  signCertificateRequest,
  writeSecretFiles,
} from "../../../pki/index.js";
import { bool, defineCommand, num, str } from "../../command.js";

export const command = defineCommand({
  builder: (y: Argv) =>
    y
      .option("name", { type: "string", demandOption: true, describe: "the basename of the generated file" })
      .option("ca", {
        type: "string",
        demandOption: true,
        describe: "path of the CA without extension (reads <ca>.crt and <ca>.key)",
      })
      .option("csr", {
        type: "string",
        demandOption: true,
        describe: "path to the PEM encoded CERTIFICATE REQUEST",
      })
      .option("hours", {
        type: "number",
        default: 24,
        describe: "the hours from now on which the certificate validity period ends",
      })
      .option("force", {
        alias: "f",
        type: "boolean",
        default: false,
        describe: "will overwrite existing files",
      })
      .example(
        "$0 --ca talos --csr admin.csr --name admin",
        "sign admin.csr with talos.crt/talos.key into admin.crt",
      ),
  async handler(args, ctx) {
    const name = str(args, "name") ?? "";
    const ca = str(args, "ca") ?? "";
    const csrFile = str(args, "csr") ?? "";
    if (name === "") throw new UserError("--name must not be empty");
    if (ca === "") throw new UserError("--ca must not be empty");
    const hours = num(args, "hours");
    if (hours === undefined || !Number.isInteger(hours) || hours <= 0) {
      throw new UserError(
        `invalid --hours ${JSON.stringify(String(hours))}: expected a positive whole number of hours`,
      );
    }
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
      force: bool(args, "force"),
    });
  },
});
