// talosctl gen keypair: a self-signed Ed25519 certificate (valid 24 hours, optionally for an IP)
// written as <org>.crt and <org>.key (mode 0600).
import { isIP } from "node:net";
import path from "node:path";
import { UserError } from "../../../errors.js";
import { createCertificateAuthority, writeSecretFiles } from "../../../pki/index.js";
import { args, defineCommand, flag } from "../../command.js";
import { forceFlag } from "./flags.js";

/** Lifetime of a `gen keypair` certificate (the x509 library's default): 24 hours. */
const KEYPAIR_VALIDITY_MS = 24 * 3_600_000;

export const command = defineCommand({
  args: args.none,
  flags: {
    ...forceFlag,
    ip: flag.string({ describe: "generate the certificate for this IP address" }),
    organization: flag.string({ required: true, describe: "X.509 distinguished name for the Organization" }),
  },
  examples: [["$0 --organization talos --ip 10.5.0.2", "write talos.crt and talos.key"]],
  async handler({ flags }, ctx) {
    const { organization, ip } = flags;
    if (organization.trim() === "")
      throw new UserError("--organization must not be empty (it names the output files)");
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
      { force: flags.force },
    );
  },
});
