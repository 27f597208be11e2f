// talosctl gen secrets: writes a secrets bundle (secrets.yaml, mode 0600), freshly generated,
// seeded from a kubeadm PKI directory, or extracted from a controlplane machine config.

import type { KeyObject } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { UserError } from "../../../errors.js";
import { readError } from "../../../fsutil/index.js";
import type { KeyGenerator, KeyKind, LoadedSecretsBundle } from "../../../pki/index.js";
import type { writeSecretFiles as WriteSecretFiles } from "../../../pki/write.js";
import { args, defineCommand, flag } from "../../command.js";
import { forceFlag } from "./flags.js";

export const command = defineCommand({
  args: args.none,
  flags: {
    ...forceFlag,
    "output-file": flag.string({
      short: "o",
      default: "secrets.yaml",
      describe: 'path of the output file, or "-" for stdout',
    }),
    "talos-version": flag.string({
      describe:
        "the desired Talos version to generate secrets bundle for (backwards compatibility, e.g. v1.8)",
    }),
    "from-kubernetes-pki": flag.string({
      short: "p",
      describe: "use a Kubernetes PKI directory (e.g. /etc/kubernetes/pki) as input",
    }),
    "kubernetes-bootstrap-token": flag.string({
      short: "t",
      describe: "use the provided bootstrap token as input (with --from-kubernetes-pki)",
    }),
    "from-controlplane-config": flag.string({
      describe: "use the provided controlplane Talos machine configuration as input",
    }),
    debug: flag.bool({
      hidden: true,
      describe: "print the causes of an error, and the time key generation took",
    }),
  },
  examples: [
    ["$0", "write a new secrets.yaml"],
    ["$0 -o - --talos-version v1.8", "print a bundle for Talos 1.8 clusters"],
    ["$0 --from-controlplane-config controlplane.yaml", "recover the bundle of an existing cluster"],
  ],
  async handler({ flags }, ctx) {
    // Only the contract and key code load first: the keys start generating (on the thread pool)
    // while the rest of the PKI code (ASN.1, YAML) loads.
    const [{ parseContract, usesRsaServiceAccountKey }, { generatePrivateKey }] = await Promise.all([
      import("../../../pki/contract.js"),
      import("../../../pki/keys.js"),
    ]);
    const output = flags["output-file"];
    const force = flags.force;
    const contract = parseContract(flags["talos-version"]);
    const pkiDir = flags["from-kubernetes-pki"];
    const token = flags["kubernetes-bootstrap-token"];
    const fromConfig = flags["from-controlplane-config"];
    if (pkiDir !== "" && fromConfig !== "") {
      throw new UserError("--from-kubernetes-pki and --from-controlplane-config cannot be used together");
    }
    if (token !== "" && pkiDir === "") {
      throw new UserError("--kubernetes-bootstrap-token is only used with --from-kubernetes-pki");
    }
    if (output === "") throw new UserError("--output-file must not be empty");

    const target = output === "-" ? undefined : path.resolve(ctx.cwd, output);
    // Refuse before the (possibly slow) key generation, not only when writing.
    if (target !== undefined && !force && fs.existsSync(target)) {
      throw new UserError(`file "${output}" already exists, use --force to overwrite`);
    }

    const now = ctx.now();
    const generating = pkiDir === "" && fromConfig === "";
    const keys = generating ? startKeys(generatePrivateKey, usesRsaServiceAccountKey(contract)) : undefined;
    if (keys) {
      // A fresh bundle needs only the bundle builder and writer, not the parsers the other
      // sources use (the YAML parser, CSRs, kubeadm files).
      const [{ generateBundle }, { encodeBundle }, { writeSecretFiles }] = await Promise.all([
        import("../../../pki/bundle.js"),
        import("../../../pki/bundle-encode.js"),
        import("../../../pki/write.js"),
      ]);
      const bundle = await generateBundle({ contract, now, keygen: keys.take });
      // --debug reports where the time went (key generation dominates, RSA-4096 above all).
      if (flags.debug) ctx.stderr.write(`key generation: ${(await keys.longest).toFixed(1)} ms\n`);
      writeBundle(encodeBundle(bundle), writeSecretFiles);
      return;
    }
    const {
      bundleFromKubernetesPki,
      bundleFromMachineConfig,
      encodeBundle,
      parseMachineConfigDocuments,
      validateBundle,
      writeSecretFiles,
    } = await import("../../../pki/index.js");
    let bundle: LoadedSecretsBundle;
    if (pkiDir !== "") {
      bundle = await bundleFromKubernetesPki(pkiDir, { contract, now, bootstrapToken: token, cwd: ctx.cwd });
    } else {
      let text: string;
      try {
        text = fs.readFileSync(path.resolve(ctx.cwd, fromConfig), "utf8");
      } catch (err) {
        throw readError(fromConfig, err);
      }
      bundle = bundleFromMachineConfig(parseMachineConfigDocuments(text, fromConfig), fromConfig);
      // Talos would write whatever it found; a bundle that gen config later rejects helps nobody.
      const problems = validateBundle(bundle, contract);
      if (problems.length > 0) {
        throw new UserError(`${fromConfig} does not hold a complete secrets bundle: ${problems.join("; ")}`);
      }
    }
    writeBundle(encodeBundle(bundle), writeSecretFiles);

    function writeBundle(text: string, write: typeof WriteSecretFiles): void {
      if (target === undefined) {
        ctx.stdout.write(text);
        return;
      }
      write([{ path: target, shown: output, data: text }], { force });
    }
  },
});

interface StartedKeys {
  /** Hands out the keys already being made, one per request of a kind, in request order. */
  readonly take: KeyGenerator;
  /** Milliseconds from the start to the last key finished (they are made concurrently). */
  readonly longest: Promise<number>;
}

/**
 * Starts every key a fresh bundle needs (four ECDSA or RSA CA keys, the service-account key,
 * the Ed25519 Talos CA key) at once; node:crypto makes them on its thread pool, the RSA-4096
 * one off the main thread while the program goes on loading.
 */
function startKeys(generate: KeyGenerator, rsaServiceAccount: boolean): StartedKeys {
  const started = performance.now();
  const kinds: KeyKind[] = ["ecdsa", "ecdsa", "ecdsa", rsaServiceAccount ? "rsa" : "ecdsa", "ed25519"];
  // The slowest first, so the thread pool starts on it before the others.
  const order = kinds
    .map((k, i) => [k, i] as const)
    .sort(([a], [b]) => Number(b === "rsa") - Number(a === "rsa"));
  const made = new Array<Promise<KeyObject>>(kinds.length);
  for (const [kind, i] of order) made[i] = generate(kind);
  const pending = new Map<KeyKind, Promise<KeyObject>[]>();
  kinds.forEach((k, i) => {
    pending.set(k, [...(pending.get(k) ?? []), made[i]!]);
  });
  const longest = Promise.all(made).then(() => performance.now() - started);
  // A key never asked for (a seed supplied it) must not end the run with an unhandled rejection.
  longest.catch(() => {});
  return {
    take: (kind) => pending.get(kind)?.shift() ?? generate(kind),
    longest,
  };
}
