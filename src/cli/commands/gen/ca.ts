// talosctl gen ca: a self-signed CA (Ed25519, or RSA-4096 with --rsa) written as <org>.crt,
// <org>.sha256 (the SPKI pin) and <org>.key, all mode 0600.
import path from "node:path";
import { UserError } from "../../../errors.js";
import { certificateHash, createCertificateAuthority, writeSecretFiles } from "../../../pki/index.js";
import { args, defineCommand, flag } from "../../command.js";
import { forceFlag, positiveHours } from "./flags.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...forceFlag,
    organization: flag.string({ required: true, describe: "X.509 distinguished name for the Organization" }),
    hours: flag.int({
      default: 87600,
      describe: "the hours from now on which the certificate validity period ends",
    }),
    rsa: flag.bool({ describe: "generate in RSA format" }),
  },
  examples: [["$0 --organization talos", "write talos.crt, talos.sha256 and talos.key"]],
  async handler({ flags }, ctx) {
    const organization = flags.organization;
    if (organization.trim() === "")
      throw new UserError("--organization must not be empty (it names the output files)");
    const hours = positiveHours(flags.hours);
    const now = ctx.now();
    const ca = await createCertificateAuthority({
      organization,
      keyKind: flags.rsa ? "rsa" : "ed25519",
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
      { force: flags.force },
    );
  },
});
