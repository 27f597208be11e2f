// talosctl image k8s-bundle (default): the default Kubernetes images Talos uses, one a line, at
// the versions the flags name (the release's defaults otherwise).
import { DEFAULT_KUBERNETES_VERSION } from "../../../version.js";
import {
  DEFAULT_COREDNS_VERSION,
  DEFAULT_ETCD_VERSION,
  FLANNEL_VERSION,
  KUBE_NETWORK_POLICIES_VERSION,
  kubernetesBundle,
} from "../../../wire/index.js";
import { defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import { namespaceFlag, semverFlag, semverFlagSpec } from "./flags.js";

export const command = defineCommand({
  flags: {
    ...namespaceFlag,
    "k8s-version": semverFlagSpec("Kubernetes semantic version", `v${DEFAULT_KUBERNETES_VERSION}`),
    "etcd-version": semverFlagSpec("ETCD semantic version", DEFAULT_ETCD_VERSION),
    "flannel-version": semverFlagSpec("Flannel CNI semantic version", FLANNEL_VERSION),
    "coredns-version": semverFlagSpec("CoreDNS semantic version", DEFAULT_COREDNS_VERSION),
    "kube-network-policies-version": semverFlagSpec(
      "kube-network-policies semantic version",
      KUBE_NETWORK_POLICIES_VERSION,
    ),
  },
  examples: [
    ["$0", "the default images"],
    ["$0 --k8s-version 1.36.2", "with another Kubernetes version"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const images = kubernetesBundle({
      kubernetes: semverFlag("k8s-version", flags["k8s-version"]),
      etcd: semverFlag("etcd-version", flags["etcd-version"]),
      flannel: semverFlag("flannel-version", flags["flannel-version"]),
      coredns: semverFlag("coredns-version", flags["coredns-version"]),
      kubeNetworkPolicies: semverFlag(
        "kube-network-policies-version",
        flags["kube-network-policies-version"],
      ),
    });
    ctx.stdout.write(`${images.join("\n")}\n`);
  },
});
