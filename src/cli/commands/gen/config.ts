// talosctl gen config NAME ENDPOINT: machine configs for a new cluster (controlplane.yaml,
// worker.yaml) and its talosconfig. `talosctl machineconfig gen` is the same command.
import fs from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
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
import { type Args, bool, defineCommand, slice, str, strs } from "../../command.js";
import type { CliContext } from "../../context.js";

function builder(y: Argv): Argv {
  return y
    .positional("cluster-name", { type: "string", describe: "name of the cluster" })
    .positional("cluster-endpoint", {
      type: "string",
      describe: "URL of the Kubernetes API, e.g. https://10.5.0.2:6443",
    })
    .option("additional-sans", {
      type: "string",
      array: true,
      describe: "extra names and addresses for the Talos API and API server certificates (comma-separated)",
    })
    .option("config-patch", {
      type: "string",
      array: true,
      describe: "patch applied to every generated config (@file or inline)",
    })
    .option("config-patch-control-plane", {
      type: "string",
      array: true,
      describe: "patch applied to the control plane config (@file or inline)",
    })
    .option("config-patch-worker", {
      type: "string",
      array: true,
      describe: "patch applied to the worker config (@file or inline)",
    })
    .option("dns-domain", {
      type: "string",
      default: DEFAULT_DNS_DOMAIN,
      describe: "DNS domain of cluster services",
    })
    .option("install-disk", {
      type: "string",
      default: DEFAULT_INSTALL_DISK,
      describe: 'disk to install Talos onto ("" leaves install settings out)',
    })
    .option("install-image", {
      type: "string",
      describe: `installer image (default "${defaultInstallImage()}", with $TAG as the tag when set)`,
    })
    .option("kubernetes-version", {
      type: "string",
      default: DEFAULT_KUBERNETES_VERSION,
      describe: "Kubernetes version of the cluster",
    })
    .option("output", {
      alias: "o",
      type: "string",
      default: "",
      describe: 'output directory, or with one output type a file or "-" for stdout',
    })
    .option("output-types", {
      alias: "t",
      type: "string",
      array: true,
      default: [...OUTPUT_TYPES],
      describe: `what to write (${OUTPUT_TYPES.join(", ")})`,
    })
    .option("registry-mirror", {
      type: "string",
      array: true,
      describe: "registry mirror as <registry host>=<mirror URL>; repeat a host for more mirrors",
    })
    .option("talos-version", {
      type: "string",
      default: "",
      describe: `Talos version the configs must suit, e.g. v1.13 (default: the newest, v${LATEST_CONTRACT})`,
    })
    .option("version", { type: "string", default: CONFIG_VERSION, describe: "config format version" })
    .option("with-cluster-discovery", {
      type: "boolean",
      default: true,
      describe: "let nodes find each other through the discovery service",
    })
    .option("with-docs", { type: "boolean", default: true, describe: "explain each field in a comment" })
    .option("with-examples", { type: "boolean", default: true, describe: "add commented examples" })
    .option("with-kubespan", { type: "boolean", default: false, describe: "turn on the KubeSpan mesh" })
    .option("with-secrets", {
      type: "string",
      describe: "use the secrets bundle in this file (see gen secrets)",
    })
    .option("output-dir", { type: "string", hidden: true, describe: "output directory (deprecated, use -o)" })
    .option("skip-k8s-etcd", {
      type: "boolean",
      default: false,
      hidden: true,
      describe: "leave Kubernetes and etcd out (experimental)",
    })
    .option("force", { alias: "f", type: "boolean", default: false, describe: "overwrite existing files" })
    .example(
      "$0 my-cluster https://10.5.0.2:6443",
      "write controlplane.yaml, worker.yaml and talosconfig here",
    )
    .example(
      "$0 my-cluster https://10.5.0.2:6443 --with-secrets secrets.yaml -o out",
      "reuse a secrets bundle",
    )
    .example("$0 my-cluster https://10.5.0.2:6443 -t talosconfig -o -", "print only the talosconfig")
    .example("$0 my-cluster https://10.5.0.2:6443 --talos-version v1.13", "configs for Talos 1.13 nodes");
}

async function handler(args: Args, ctx: CliContext): Promise<void> {
  const clusterName = str(args, "cluster-name") ?? "";
  const endpoint = validateClusterEndpoint(str(args, "cluster-endpoint") ?? "");
  checkConfigVersion(str(args, "version") ?? CONFIG_VERSION);

  const plan = planOutputs({
    output: str(args, "output") ?? "",
    outputDir: str(args, "output-dir") ?? "",
    types: slice(args, "output-types"),
    cwd: ctx.cwd,
  });
  const registryMirrors = parseRegistryMirrors(slice(args, "registry-mirror"));
  const contract = parseTalosVersion(str(args, "talos-version") ?? "");
  const kubernetesVersion = parseKubernetesVersion(
    str(args, "kubernetes-version") ?? DEFAULT_KUBERNETES_VERSION,
  );
  const force = bool(args, "force");

  // Everything the user gave is read before the (slow) key generation starts.
  const patches = {
    all: loadConfigPatches(strs(args, "config-patch"), ctx.cwd),
    controlPlane: loadConfigPatches(strs(args, "config-patch-control-plane"), ctx.cwd),
    worker: loadConfigPatches(strs(args, "config-patch-worker"), ctx.cwd),
  };
  const secretsFile = str(args, "with-secrets") ?? "";
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
    installDisk: str(args, "install-disk") ?? DEFAULT_INSTALL_DISK,
    installImage: str(args, "install-image") ?? defaultInstallImage(ctx.env),
    dnsDomain: str(args, "dns-domain") ?? DEFAULT_DNS_DOMAIN,
    additionalSANs: slice(args, "additional-sans"),
    registryMirrors,
    discovery: args["with-cluster-discovery"] !== false,
    kubeSpan: bool(args, "with-kubespan"),
    skipKubernetesAndEtcd: bool(args, "skip-k8s-etcd"),
    ...(secrets ? { secrets } : {}),
    comments: { docs: args["with-docs"] !== false, examples: args["with-examples"] !== false },
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
  args: "<cluster-name> <cluster-endpoint>",
  builder,
  completeOption: {
    "output-types": () => [...OUTPUT_TYPES],
    "talos-version": () =>
      Array.from({ length: Number(LATEST_CONTRACT.split(".")[1]) + 1 }, (_, i) => `v1.${i}`).reverse(),
  },
  handler,
});
