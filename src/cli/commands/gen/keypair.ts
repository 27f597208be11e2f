// talosctl gen keypair: a self-signed Ed25519 certificate (valid 24 hours, optionally for an IP)
// written as <org>.crt and <org>.key (mode 0600).
import { isIP } from "node:net";
import path from "node:path";
import type { Argv } from "yargs";
import { UserError } from "../../../errors.js";
import { createCertificateAuthority, writeSecretFiles } from "../../../pki/index.js";
import { bool, defineCommand, str } from "../../command.js";

/** Lifetime of a `gen keypair` certificate (the x509 library's default): 24 hours. */
const KEYPAIR_VALIDITY_MS = 24 * 3_600_000;

export const command = defineCommand({
  builder: (y: Argv) =>
    y
      .option("ip", { type: "string", describe: "generate the certificate for this IP address" })
      .option("organization", {
        type: "string",
        demandOption: true,
        describe: "X.509 distinguished name for the Organization",
      })
      .option("force", {
        alias: "f",
        type: "boolean",
        default: false,
        describe: "will overwrite existing files",
      })
      .example("$0 --organization talos --ip 10.5.0.2", "write talos.crt and talos.key"),
  async handler(args, ctx) {
    const organization = str(args, "organization") ?? "";
    if (organization.trim() === "")
      throw new UserError("--organization must not be empty (it names the output files)");
    const ip = str(args, "ip") ?? "";
    if (ip !== "" && isIP(ip) === 0) throw new UserError(`invalid IP: ${ip}`);
    const ca = await createCertificateAuthority({
      organization,
      keyKind: "ed25519",
      now: ctx.now(),
      ttlMs: KEYPAIR_VALIDITY_MS,
      ips: ip === "" ? [] : [ip],
    });
    const file = (ext: string) => ({
      path: path.resolve(ctx.cwd, organization + ext),
      shown: organization + ext,
    });
    writeSecretFiles(
      [
        { ...file(".crt"), data: ca.crt },
        { ...file(".key"), data: ca.key },
      ],
      { force: bool(args, "force") },
    );
  },
});
