// talosctl support: a zip bundle of each node's logs, resources (sensitive specs redacted),
// processes, mounts and more, with talosctl's paths and file names; encrypted with age unless
// --no-encryption. talosctl encrypts to the Sidero Labs team by default; those keys are not
// built into this talosctl, so without --no-encryption it asks for recipients of your own
// (--encryption-recipients with --encryption-no-default-recipients) rather than write the
// bundle unencrypted.
import fs from "node:fs";
import { createInterface } from "node:readline";
import {
  AgeEncryptor,
  type AgeRecipient,
  type BundleProgress,
  createSupportBundle,
  goPathError,
  openClient,
  parseRecipient,
} from "../../../client/index.js";
import { errorMessage, UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, insecureFlags } from "../../flags.js";
import { renderTable } from "../../output/index.js";
import { ProgressBars } from "./bars.js";

const LONG = `Generated bundle contains the following debug information:

- For each node:

	- Kernel logs.
	- All Talos internal services logs.
	- All kube-system pods logs.
	- Talos COSI resources without secrets.
	- COSI runtime state graph.
	- Processes snapshot.
	- IO pressure snapshot.
	- Mounts list.
	- PCI devices info.
	- Talos version.

- For the cluster:

	- Kubernetes nodes and kube-system pods manifests.

The bundle is encrypted with age to the recipients given with --encryption-recipients (SSH or
age public keys); --no-encryption writes it as-is. talosctl's default recipients (the Sidero
Labs team) are not built in: pass --encryption-no-default-recipients with your recipients.`;

export const DEFAULT_RECIPIENTS_MISSING =
  "the default recipients of support bundles (the Sidero Labs team's keys) are not built into this talosctl: encrypt to your own with --encryption-recipients <key> --encryption-no-default-recipients, or write the bundle as-is with --no-encryption";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    ...insecureFlags,
    output: flag.string({ short: "O", describe: "output file to write support archive to" }),
    "num-workers": flag.int({ short: "w", default: 1, describe: "number of workers per node" }),
    verbose: flag.bool({ short: "v", describe: "verbose output" }),
    "no-encryption": flag.bool({ describe: "do not encrypt the support bundle (output is written as-is)" }),
    "encryption-recipients": flag.stringArray({
      describe:
        "additional age recipients (SSH or age public keys) to encrypt the support bundle to (can be specified multiple times)",
    }),
    "encryption-no-default-recipients": flag.bool({
      describe:
        "do not encrypt to the default recipients, only to the ones provided via --encryption-recipients",
    }),
  },
  long: LONG,
  examples: [
    ["$0 -n 10.5.0.2,10.5.0.3 --no-encryption", "support.zip with the data of two nodes"],
    [
      '$0 --encryption-no-default-recipients --encryption-recipients "$(cat ~/.ssh/id_ed25519.pub)"',
      "a bundle only your SSH key decrypts",
    ],
  ],
  async handler({ flags }, ctx: CliContext) {
    const noEncryption = flags["no-encryption"];
    const recipientsText = flags["encryption-recipients"];
    if (noEncryption && (recipientsText.length > 0 || flags["encryption-no-default-recipients"])) {
      throw new UserError(
        "--encryption-recipients and --encryption-no-default-recipients cannot be used with --no-encryption",
      );
    }
    let recipients: AgeRecipient[] = [];
    if (!noEncryption) {
      if (!flags["encryption-no-default-recipients"]) throw new UserError(DEFAULT_RECIPIENTS_MISSING);
      if (recipientsText.length === 0) {
        throw new UserError(
          "no recipients to encrypt to: --encryption-no-default-recipients is set but no --encryption-recipients provided",
        );
      }
      try {
        recipients = recipientsText.map((r) => parseRecipient(r));
      } catch (err) {
        throw new UserError(errorMessage(err), { cause: err });
      }
      ctx.stderr.write("Encrypting support bundle to the following recipients:\n");
      for (const r of recipientsText) ctx.stderr.write(`  - ${r}\n`);
    }
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      let output = flags.output;
      if (output === "") {
        output = "support";
        const first = nodes[0];
        if (first !== undefined) {
          try {
            const reply = await client
              .forNode(first)
              .cosi.get({ namespace: "cluster", type: "Infos.cluster.talos.dev", id: "current" });
            const name = /(?:^|\n)clusterName:\s*(\S+)/.exec(reply.resource?.spec?.yamlSpec ?? "")?.[1];
            if (name) output += `-${name.replace(/^"|"$/g, "")}`;
          } catch {
            // no cluster info: the plain name
          }
        }
        output += noEncryption ? ".zip" : ".zip.age";
      }
      if (fs.existsSync(output)) {
        ctx.stdout.write(`${output} already exists, overwrite? [y/N]: `);
        const answer = await readLine(ctx);
        if (answer === undefined) throw new UserError("EOF");
        if (answer.trim().toLowerCase() !== "y") throw new UserError("operation aborted");
      }
      let fd: number;
      try {
        fd = fs.openSync(output, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
      } catch (err) {
        throw new UserError(goPathError("open", output, err), { cause: err });
      }
      const write = (chunk: Buffer): void => {
        let off = 0;
        while (off < chunk.length) off += fs.writeSync(fd, chunk, off);
      };
      const encryptor = noEncryption ? undefined : new AgeEncryptor(recipients, write);
      const problems: { source: string; error: string }[] = [];
      const bars = flags.verbose || !ctx.stdout.isTTY ? undefined : new ProgressBars(ctx.stdout, ctx.now);
      let collectErrors: string[];
      try {
        collectErrors = await createSupportBundle({
          client,
          nodes,
          numWorkers: flags["num-workers"],
          sink: encryptor ? (c) => encryptor.write(c) : write,
          onProgress: (p: BundleProgress) => {
            if (p.error !== undefined) problems.push({ source: p.source, error: p.error });
            bars?.update(p.source, p.state, p.total);
          },
          log: (line) => {
            if (flags.verbose) ctx.stdout.write(`${line}\n`);
          },
          signal: ctx.signal,
          now: ctx.now(),
        });
        bars?.stop();
        encryptor?.end();
      } finally {
        fs.closeSync(fd);
      }
      if (problems.length > 0) {
        const red = (s: string) => (ctx.stderr.isTTY ? `\x1b[31m${s}\x1b[0m` : s);
        const rows: string[][] = [];
        for (const p of problems) {
          const details = p.error.split("\n").map((d) => d.trim());
          rows.push(["", p.source, red(details[0] ?? "")]);
          for (const line of details.slice(1)) rows.push(["", "", red(line)]);
        }
        ctx.stderr.write("Processed with errors:\n");
        ctx.stderr.write(renderTable(["", "SOURCE", "ERROR"], rows));
      }
      ctx.stderr.write(`Support bundle is written to ${output}\n`);
      if (collectErrors.length > 0) throw new UserError(collectErrors.join("\n"));
    } finally {
      client.close();
    }
  },
});

/** One line from stdin (undefined at end of input), as talosctl's overwrite prompt reads it. */
async function readLine(ctx: CliContext): Promise<string | undefined> {
  const rl = createInterface({ input: ctx.stdin, terminal: false });
  try {
    return await new Promise<string | undefined>((resolve) => {
      rl.once("line", (line) => resolve(line));
      rl.once("close", () => resolve(undefined));
    });
  } finally {
    rl.close();
  }
}
