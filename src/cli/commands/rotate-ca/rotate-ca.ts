// talosctl rotate-ca: rotates the Talos API CA and/or the Kubernetes API CA of the cluster
// behind one node, printing talosctl's `> ` lines on stdout. Dry-run by default. A real Talos
// rotation writes the new talosconfig (-o, default ./talosconfig); a real Kubernetes rotation
// needs the cluster's Kubernetes API, and is refused before anything changes while this talosctl
// cannot reach it.
import { isIP } from "node:net";
import path from "node:path";
import { discoverNodes } from "../../../client/cluster/index.js";
import {
  clientFromConfig,
  kubernetesApi,
  openClient,
  type RotationCluster,
  requireOneNode,
  rotateKubernetesCa,
  rotateTalosCa,
  type TalosClient,
} from "../../../client/index.js";
import { encodeClientConfig } from "../../../clientconfig/index.js";
import { errorMessage, UserError } from "../../../errors.js";
import { writeFileAtomic } from "../../../fsutil/atomic.js";
import { createCertificateAuthority } from "../../../pki/index.js";
import { goQuote } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

const DRY_RUN_DONE =
  "> Dry-run mode enabled, no changes were made to the cluster, re-run with `--dry-run=false` to apply the changes.\n";

/** talosctl parses node addresses with netip.ParseAddr. */
function ips(values: readonly string[]): string[] {
  const out = values.map((v) => v.trim()).filter((v) => v !== "");
  for (const v of out) {
    if (isIP(v) === 0) throw new UserError(`ParseAddr(${goQuote(v)}): unable to parse IP`);
  }
  return out;
}

export const command = defineCommand({
  args: args.none,
  long: `The command can rotate both Talos and Kubernetes root CAs (for the API).
By default both CAs are rotated, but you can choose to rotate just one or another.
The command starts by generating new CAs, and gracefully applying it to the cluster.

For Kubernetes, the command only rotates the API server issuing CA, and other Kubernetes
PKI can be rotated by applying machine config changes to the controlplane nodes.`,
  flags: {
    ...connectionFlags,
    "init-node": flag.string({ describe: "specify IPs of init node" }),
    "control-plane-nodes": flag.stringSlice({ describe: "specify IPs of control plane nodes" }),
    "worker-nodes": flag.stringSlice({ describe: "specify IPs of worker nodes" }),
    "k8s-endpoint": flag.string({ describe: "use endpoint instead of kubeconfig default" }),
    "with-examples": flag.bool({
      default: true,
      describe: "patch all machine configs with the commented examples",
    }),
    "with-docs": flag.bool({
      default: true,
      describe: "patch all machine configs adding the documentation for each field",
    }),
    output: flag.string({
      short: "o",
      default: "talosconfig",
      describe: "path to the output new `talosconfig`",
    }),
    "dry-run": flag.bool({ default: true, describe: "dry-run mode (no changes to the cluster)" }),
    talos: flag.bool({ default: true, describe: "rotate Talos API CA" }),
    kubernetes: flag.bool({ default: true, describe: "rotate Kubernetes API CA" }),
  },
  examples: [
    ["$0 -n 10.5.0.2", "show the plan of both rotations (dry-run)"],
    ["$0 -n 10.5.0.2 --dry-run=false --kubernetes=false", "rotate the Talos API CA, write ./talosconfig"],
    [
      "$0 -n 10.5.0.2 --control-plane-nodes 10.5.0.2 --worker-nodes 10.5.0.3 --dry-run=false --kubernetes=false -o new.talosconfig",
      "name the nodes instead of discovering them",
    ],
  ],
  async handler({ flags }, ctx: CliContext) {
    const initNode = ips(flags["init-node"] === "" ? [] : [flags["init-node"]]);
    const controlPlanes = ips(flags["control-plane-nodes"]);
    const workers = ips(flags["worker-nodes"]);
    const dryRun = flags["dry-run"];
    const print = (text: string): void => {
      ctx.stdout.write(text);
    };
    const comments = { docs: flags["with-docs"], examples: flags["with-examples"] };
    const { client, nodes, context } = openClient(connectionOptions(flags), ctx);
    let rotated: TalosClient | undefined;
    try {
      const node = requireOneNode("rotate-ca", nodes);
      if (flags.kubernetes && !dryRun) {
        // Refused before the Talos part runs, so that nothing is left half done.
        const reason = kubernetesApi(client).unavailable;
        if (reason !== undefined) {
          throw new UserError(
            `--kubernetes: ${reason}; run with --kubernetes=false to rotate the Talos API CA only, or with --dry-run to see the plan`,
          );
        }
      }
      // As talosctl: the nodes named on the command line, else the members the node discovered.
      let cluster: RotationCluster;
      if (controlPlanes.length > 0 || workers.length > 0) {
        cluster = { controlPlanes: [...initNode, ...controlPlanes], workers };
      } else {
        const discovered = await discoverNodes(client.forNode(node));
        cluster = { controlPlanes: discovered.controlPlanes, workers: discovered.workers };
      }
      // The new CAs as a new secrets bundle has them: the OS CA Ed25519, the Kubernetes one ECDSA.
      const now = ctx.now();
      const [osCa, k8sCa] = await Promise.all([
        createCertificateAuthority({ organization: "talos", keyKind: "ed25519", now }),
        createCertificateAuthority({ organization: "kubernetes", keyKind: "ecdsa", now }),
      ]);
      if (flags.talos) {
        let config: Awaited<ReturnType<typeof rotateTalosCa>>;
        try {
          config = await rotateTalosCa({
            dryRun,
            client,
            cluster,
            contextName: context?.name ?? "",
            endpoints: client.endpoints,
            newCa: { crt: osCa.crt, key: osCa.key },
            comments,
            print,
            signal: ctx.signal,
            now: ctx.now(),
          });
        } catch (err) {
          throw new UserError(`error rotating Talos CA: ${errorMessage(err)}`, { cause: err });
        }
        if (dryRun) {
          print(DRY_RUN_DONE);
        } else {
          print(`> Writing new talosconfig to ${goQuote(flags.output)}\n`);
          writeFileAtomic(path.resolve(ctx.cwd, flags.output), encodeClientConfig(config), {
            mode: 0o600,
            mkdirMode: 0o700,
          });
          rotated = clientFromConfig(config, ctx.signal);
        }
      }
      if (flags.kubernetes) {
        const target = rotated ?? client;
        try {
          await rotateKubernetesCa({
            dryRun,
            client: target,
            cluster,
            newCa: { crt: k8sCa.crt, key: k8sCa.key },
            kubernetes: kubernetesApi(target),
            comments,
            print,
            signal: ctx.signal,
          });
        } catch (err) {
          throw new UserError(`error rotating Kubernetes CA: ${errorMessage(err)}`, { cause: err });
        }
        print(
          dryRun
            ? DRY_RUN_DONE
            : "> Kubernetes CA rotation done, new 'kubeconfig' can be fetched with `talosctl kubeconfig`.\n",
        );
      }
    } finally {
      rotated?.close();
      client.close();
    }
  },
});
