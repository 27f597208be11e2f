// talosctl upgrade-k8s: upgrades the Kubernetes control plane (static pods, one control plane
// at a time), kube-proxy and the kubelets through one control-plane node, printing talosctl's
// progress lines on stdout.
import { checkServerVersions, openClient, requireOneNode, toRpcError } from "../../../client/index.js";
import { KubeApiError, openKube, UpgradeK8s } from "../../../client/kube/index.js";
import { errorMessage, TalosError, UserError } from "../../../errors.js";
import { DEFAULT_KUBERNETES_VERSION, TALOS_VERSION } from "../../../version.js";
import { formatGoDuration } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, oneOf } from "../../flags.js";

const INVENTORY_POLICIES = ["AdoptIfNoInventory", "MustMatch", "AdoptAll"];
/** How long one component on one node may take to come back after its config changed (talosctl: 5 minutes). */
const COMPONENT_TIMEOUT_MS = 5 * 60_000;

export const command = defineCommand({
  args: args.none,
  flags: {
    ...connectionFlags,
    from: flag.string({
      describe: "the Kubernetes control plane version to upgrade from (detected when empty)",
    }),
    to: flag.string({
      default: DEFAULT_KUBERNETES_VERSION,
      describe: "the Kubernetes control plane version to upgrade to",
    }),
    endpoint: flag.string({ describe: "the endpoint used to access the Kubernetes API server" }),
    "dry-run": flag.bool({ describe: "skip the actual upgrade and show the upgrade plan instead" }),
    "pre-pull-images": flag.bool({ default: true, describe: "pre-pull images before the upgrade" }),
    "upgrade-kubelet": flag.bool({ default: true, describe: "upgrade the kubelet service" }),
    "with-docs": flag.bool({
      default: true,
      describe: "patch all machine configs adding the documentation for each field",
    }),
    "with-examples": flag.bool({
      default: true,
      describe: "patch all machine configs with the commented examples",
    }),
    "kubelet-image": flag.string({ default: "ghcr.io/siderolabs/kubelet", describe: "kubelet image to use" }),
    "apiserver-image": flag.string({
      default: "registry.k8s.io/kube-apiserver",
      describe: "kube-apiserver image to use",
    }),
    "controller-manager-image": flag.string({
      default: "registry.k8s.io/kube-controller-manager",
      describe: "kube-controller-manager image to use",
    }),
    "scheduler-image": flag.string({
      default: "registry.k8s.io/kube-scheduler",
      describe: "kube-scheduler image to use",
    }),
    "proxy-image": flag.string({
      default: "registry.k8s.io/kube-proxy",
      describe: "kube-proxy image to use",
    }),
    "manifests-force": flag.bool({
      describe: "force the manifests sync: replace objects that cannot be patched",
    }),
    "manifests-no-prune": flag.bool({ describe: "keep the objects the manifests no longer hold" }),
    "manifests-inventory-policy": flag.string({
      default: "AdoptIfNoInventory",
      validate: oneOf(INVENTORY_POLICIES),
      describe: `the inventory policy of the manifests sync: ${INVENTORY_POLICIES.join(", ")}`,
    }),
    "manifests-reconcile-timeout": flag.duration({
      default: "5m0s",
      describe: "how long to wait for the manifests to reconcile (0: do not wait)",
    }),
  },
  examples: [
    ["$0 -n 10.5.0.2 --to 1.37.0", "upgrade the cluster's Kubernetes to 1.37.0"],
    ["$0 -n 10.5.0.2 --to 1.37.0 --dry-run", "show what would change"],
    ["$0 -n 10.5.0.2 --to 1.37.0 --upgrade-kubelet=false", "leave the kubelets as they are"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const version = (name: string, v: string): string => {
      const bare = v.replace(/^v/, "");
      if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(bare))
        throw new UserError(`--${name}: invalid Kubernetes version ${JSON.stringify(v)}: expected X.Y.Z`);
      return bare;
    };
    const to = version("to", flags.to);
    const from = flags.from === "" ? "" : version("from", flags.from);
    for (const name of [
      "kubelet-image",
      "apiserver-image",
      "controller-manager-image",
      "scheduler-image",
      "proxy-image",
    ] as const) {
      const image = flags[name];
      if (image === "" || /\s/.test(image) || /:[^/]*$/.test(image.replace(/^[^/]*:\d+\//, ""))) {
        throw new UserError(
          `invalid upgrade options: --${name}: ${JSON.stringify(image)} must be an image repository without a tag`,
        );
      }
    }
    if (flags["manifests-reconcile-timeout"] < 0n) {
      throw new UserError(
        `--manifests-reconcile-timeout: must not be negative (got ${formatGoDuration(flags["manifests-reconcile-timeout"])})`,
      );
    }
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const node = requireOneNode("upgrade-k8s", nodes);
      const check = await checkServerVersions(client, [node], TALOS_VERSION);
      if (check.warning) ctx.stderr.write(`${check.warning}\n`);
      const failed = check.failed.get(node);
      if (failed) throw failed;
      let kube: Awaited<ReturnType<typeof openKube>>;
      try {
        kube = await openKube(client.forNode(node), flags.endpoint);
      } catch (err) {
        throw new UserError(
          `error building kubernetes client: ${toRpcError(err, ctx.signal.aborted).message}`,
          { cause: err },
        );
      }
      try {
        await new UpgradeK8s({
          talos: client,
          kube,
          from,
          to,
          dryRun: flags["dry-run"],
          prePullImages: flags["pre-pull-images"],
          upgradeKubelet: flags["upgrade-kubelet"],
          images: {
            kubelet: flags["kubelet-image"],
            apiServer: flags["apiserver-image"],
            controllerManager: flags["controller-manager-image"],
            scheduler: flags["scheduler-image"],
            proxy: flags["proxy-image"],
          },
          log: (line) => ctx.stdout.write(`${line}\n`),
          signal: ctx.signal,
          waitTimeoutMs: COMPONENT_TIMEOUT_MS,
        }).run();
      } catch (err) {
        if (err instanceof UserError) throw err;
        if (err instanceof KubeApiError || err instanceof TalosError)
          throw new UserError(errorMessage(err), { cause: err });
        throw new UserError(toRpcError(err, ctx.signal.aborted).message, { cause: err });
      } finally {
        kube.close();
      }
    } finally {
      client.close();
    }
  },
});
