// talosctl gen config NAME ENDPOINT: machine configs for a new cluster (controlplane.yaml,
// worker.yaml) and its talosconfig. `talosctl machineconfig gen` is the same command.
import fs from "node:fs";
import path from "node:path";
import {
  CONFIG_VERSION,
  checkConfigVersion,
  DEFAULT_DNS_DOMAIN,
  DEFAULT_INSTALL_DISK,
  defaultInstallImage,
  generateConfigs,
  loadConfigPatches,
  OUTPUT_TYPES,
  type OutputType,
  parseKubernetesVersion,
  parseRegistryMirrors,
  parseTalosVersion,
  planOutputs,
  validateClusterEndpoint,
} from "../../../config/generate/index.js";
import { UserError } from "../../../errors.js";
import { writeOutputFile } from "../../../fsutil/index.js";
import { readSecretsBundleFile } from "../../../pki/index.js";
import { DEFAULT_KUBERNETES_VERSION, LATEST_CONTRACT } from "../../../version.js";
import { args, defineCommand, flag, type Invocation } from "../../command.js";
import type { CliContext } from "../../context.js";
import { forceFlag } from "./flags.js";

/** The Talos versions --talos-version offers in completion, newest first. */
function talosVersions(): string[] {
  return Array.from({ length: Number(LATEST_CONTRACT.split(".")[1]) + 1 }, (_, i) => `v1.${i}`).reverse();
}

const flags = {
  ...forceFlag,
  "additional-sans": flag.stringSlice({
    describe: "extra names and addresses for the Talos API and API server certificates (comma-separated)",
  }),
  "config-patch": flag.stringArray({ describe: "patch applied to every generated config (@file or inline)" }),
  "config-patch-control-plane": flag.stringArray({
    describe: "patch applied to the control plane config (@file or inline)",
  }),
  "config-patch-worker": flag.stringArray({
    describe: "patch applied to the worker config (@file or inline)",
  }),
  "dns-domain": flag.string({ default: DEFAULT_DNS_DOMAIN, describe: "DNS domain of cluster services" }),
  "install-disk": flag.string({
    default: DEFAULT_INSTALL_DISK,
    describe: 'disk to install Talos onto ("" leaves install settings out)',
  }),
  "install-image": flag.string({
    describe: `installer image (default "${defaultInstallImage()}", with $TAG as the tag when set)`,
  }),
  "kubernetes-version": flag.string({
    default: DEFAULT_KUBERNETES_VERSION,
    describe: "Kubernetes version of the cluster",
  }),
  output: flag.string({
    short: "o",
    describe: 'output directory, or with one output type a file or "-" for stdout',
  }),
  "output-types": flag.stringSlice({
    short: "t",
    default: OUTPUT_TYPES,
    choices: OUTPUT_TYPES,
    describe: `what to write (${OUTPUT_TYPES.join(", ")})`,
  }),
  "registry-mirror": flag.stringSlice({
    describe: "registry mirror as <registry host>=<mirror URL>; repeat a host for more mirrors",
  }),
  "talos-version": flag.string({
    choices: talosVersions(),
    describe: `Talos version the configs must suit, e.g. v1.13 (default: the newest, v${LATEST_CONTRACT})`,
  }),
  version: flag.string({ default: CONFIG_VERSION, describe: "config format version" }),
  "with-cluster-discovery": flag.bool({
    default: true,
    describe: "let nodes find each other through the discovery service",
  }),
  "with-docs": flag.bool({ default: true, describe: "explain each field in a comment" }),
  "with-examples": flag.bool({ default: true, describe: "add commented examples" }),
  "with-kubespan": flag.bool({ describe: "turn on the KubeSpan mesh" }),
  "with-secrets": flag.string({ describe: "use the secrets bundle in this file (see gen secrets)" }),
  "output-dir": flag.string({ hidden: true, describe: "output directory (deprecated, use -o)" }),
  "skip-k8s-etcd": flag.bool({ hidden: true, describe: "leave Kubernetes and etcd out (experimental)" }),
} as const;

/** A list flag's values without surrounding blanks, empty ones dropped. */
function clean(values: readonly string[]): string[] {
  return values.map((v) => v.trim()).filter((v) => v !== "");
}

async function handler(input: Invocation<typeof flags>, ctx: CliContext): Promise<void> {
  const { flags: f } = input;
  const [clusterName = "", endpointText = ""] = input.args;
  const endpoint = validateClusterEndpoint(endpointText);
  checkConfigVersion(f.version);

  const plan = planOutputs({
    output: f.output,
    outputDir: f["output-dir"],
    types: clean(f["output-types"]),
    cwd: ctx.cwd,
  });
  const registryMirrors = parseRegistryMirrors(clean(f["registry-mirror"]));
  const contract = parseTalosVersion(f["talos-version"]);
  const kubernetesVersion = parseKubernetesVersion(f["kubernetes-version"]);
  const force = f.force;

  // Everything the user gave is read before the (slow) key generation starts.
  const patches = {
    all: loadConfigPatches(f["config-patch"], ctx.cwd),
    controlPlane: loadConfigPatches(f["config-patch-control-plane"], ctx.cwd),
    worker: loadConfigPatches(f["config-patch-worker"], ctx.cwd),
  };
  const secretsFile = f["with-secrets"];
  const secrets =
    secretsFile !== "" ? readSecretsBundleFile(path.resolve(ctx.cwd, secretsFile), contract) : undefined;
  if (plan.to === "files" && !force) {
    // Refuse up front so that a refused run leaves no file half of a set behind.
    for (const file of plan.files) {
      if (fs.existsSync(file.path))
        throw new UserError(`file "${file.path}" already exists, use --force to overwrite`);
    }
  }

  const generated = await generateConfigs({
    clusterName,
    endpoint,
    contract,
    kubernetesVersion,
    installDisk: f["install-disk"],
    // Given as "" it stays empty; not given, the default follows $TAG.
    installImage: input.changed("install-image") ? f["install-image"] : defaultInstallImage(ctx.env),
    dnsDomain: f["dns-domain"],
    additionalSANs: clean(f["additional-sans"]),
    registryMirrors,
    discovery: f["with-cluster-discovery"],
    kubeSpan: f["with-kubespan"],
    skipKubernetesAndEtcd: f["skip-k8s-etcd"],
    ...(secrets ? { secrets } : {}),
    comments: { docs: f["with-docs"], examples: f["with-examples"] },
    patches,
    now: ctx.now(),
    log: (line) => ctx.stderr.write(`${line}\n`),
  });

  const content: Readonly<Record<OutputType, string>> = {
    controlplane: generated.controlplane,
    worker: generated.worker,
    talosconfig: generated.talosconfig,
  };
  if (plan.to === "stdout") {
    ctx.stdout.write(content[plan.type]);
    return;
  }
  for (const file of plan.files) {
    writeOutputFile(file.path, content[file.type], { force, mode: 0o644, mkdirMode: 0o755 });
    ctx.stderr.write(`Created ${file.path}\n`);
  }
}

export const command = defineCommand({
  use: "<cluster name> <cluster endpoint>",
  args: args.exact(2),
  flags,
  examples: [
    ["$0 my-cluster https://10.5.0.2:6443", "write controlplane.yaml, worker.yaml and talosconfig here"],
    ["$0 my-cluster https://10.5.0.2:6443 --with-secrets secrets.yaml -o out", "reuse a secrets bundle"],
    ["$0 my-cluster https://10.5.0.2:6443 -t talosconfig -o -", "print only the talosconfig"],
    ["$0 my-cluster https://10.5.0.2:6443 --talos-version v1.13", "configs for Talos 1.13 nodes"],
  ],
  handler,
});
