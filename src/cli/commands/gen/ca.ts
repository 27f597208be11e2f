// talosctl gen ca: a self-signed CA (Ed25519, or RSA-4096 with --rsa) written as <org>.crt,
// <org>.sha256 (the SPKI pin) and <org>.key, all mode 0600.
import path from "node:path";
import type { Argv } from "yargs";
import { UserError } from "../../../errors.js";
import { certificateHash, createCertificateAuthority, writeSecretFiles } from "../../../pki/index.js";
import { bool, defineCommand, num, str } from "../../command.js";

export const command = defineCommand({
  builder: (y: Argv) =>
    y
      .option("organization", {
        type: "string",
        demandOption: true,
        describe: "X.509 distinguished name for the Organization",
      })
      .option("hours", {
        type: "number",
        default: 87600,
        describe: "the hours from now on which the certificate validity period ends",
      })
      .option("rsa", { type: "boolean", default: false, describe: "generate in RSA format" })
      .option("force", {
        alias: "f",
        type: "boolean",
        default: false,
        describe: "will overwrite existing files",
      })
      .example("$0 --organization talos", "write talos.crt, talos.sha256 and talos.key"),
  async handler(args, ctx) {
    const organization = str(args, "organization") ?? "";
    if (organization.trim() === "")
      throw new UserError("--organization must not be empty (it names the output files)");
    const hours = validHours(num(args, "hours"));
    const now = ctx.now();
    const ca = await createCertificateAuthority({
      organization,
      keyKind: bool(args, "rsa") ? "rsa" : "ed25519",
      now,
      ttlMs: hours * 3_600_000,
    });
    const file = (ext: string) => ({
      path: path.resolve(ctx.cwd, organization + ext),
      shown: organization + ext,
    });
    writeSecretFiles(
      [
        { ...file(".crt"), data: ca.crt },
        { ...file(".sha256"), data: certificateHash(ca.cert) },
        { ...file(".key"), data: ca.key },
      ],
      { force: bool(args, "force") },
    );
  },
});

/** --hours as a whole positive number (Go parses it as an int). */
function validHours(hours: number | undefined): number {
  if (hours === undefined || !Number.isInteger(hours) || hours <= 0) {
    throw new UserError(
      `invalid --hours ${JSON.stringify(String(hours))}: expected a positive whole number of hours`,
    );
  }
  return hours;
}
