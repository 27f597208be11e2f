// Rules that changed between Talos releases follow the contract being validated: each case shows
// one rule under the release before the change and under the release that brought it.
import { describe } from "vitest";
import { CP, doc, merge, table, WORKER } from "./testkit.js";

const ENDPOINT = { controlPlane: { endpoint: "https://10.0.0.1:6443" } };
/** A worker as Talos 1.13 and older accept it in every mode (endpoint, install). */
const OLD_WORKER = merge(WORKER, {
  cluster: ENDPOINT,
  machine: { install: { disk: "/dev/sda" } },
});

describe("v1alpha1 rules across releases", () => {
  table([
    {
      name: "1.13: metal requires the install section",
      base: merge(OLD_WORKER, { machine: { install: null } }),
      docs: [],
      contract: "v1.13",
      errors: ['v1alpha1 machine.install: install instructions are required in "metal" mode'],
    },
    {
      name: "1.14: metal no longer requires the install section",
      base: merge(OLD_WORKER, { machine: { install: null } }),
      docs: [],
      contract: "v1.14",
    },
    {
      name: "1.13: cloud mode never required the install section",
      base: merge(OLD_WORKER, { machine: { install: null } }),
      docs: [],
      mode: "cloud",
      contract: "v1.13",
    },
    {
      name: "1.13: the control plane endpoint is required, and it is the only cluster error",
      base: merge(OLD_WORKER, { cluster: { controlPlane: null, network: { dnsDomain: "-bad-" } } }),
      docs: [],
      contract: "v1.13",
      errors: ["v1alpha1 cluster.controlPlane.endpoint: cluster controlplane endpoint is required"],
    },
    {
      name: "1.14: the control plane endpoint may be left to KubeClusterConfig",
      base: merge(OLD_WORKER, { cluster: { controlPlane: null } }),
      docs: [],
      contract: "v1.14",
    },
    {
      name: "1.13: container mode's host DNS needs are v1alpha1 errors",
      base: OLD_WORKER,
      docs: [],
      mode: "container",
      contract: "v1.13",
      errors: [
        "v1alpha1 machine.features.hostDNS.enabled: feature HostDNS should be enabled in container mode (.machine.features.hostDNS.enabled)",
        "v1alpha1 machine.features.hostDNS.forwardKubeDNSToHost: feature HostDNS should forward kube-dns to host in container mode (.machine.features.hostDNS.forwardKubeDNSToHost)",
      ],
    },
    {
      name: "1.13: container mode accepts v1alpha1 host DNS forwarding",
      base: merge(OLD_WORKER, {
        machine: { features: { hostDNS: { enabled: true, forwardKubeDNSToHost: true } } },
      }),
      docs: [],
      mode: "container",
      contract: "v1.13",
    },
    {
      name: "1.14: container mode's host DNS needs are the whole config's",
      base: OLD_WORKER,
      docs: [],
      mode: "container",
      contract: "v1.14",
      errors: ["v1alpha1: hostDNS config is required in container mode"],
    },
    {
      name: "1.12: forwarding kube-dns without host DNS passes",
      base: merge(OLD_WORKER, { machine: { features: { hostDNS: { forwardKubeDNSToHost: true } } } }),
      docs: [],
      contract: "v1.12",
    },
    {
      name: "1.13: forwarding kube-dns needs host DNS",
      base: merge(OLD_WORKER, { machine: { features: { hostDNS: { forwardKubeDNSToHost: true } } } }),
      docs: [],
      contract: "v1.13",
      errors: [
        "v1alpha1 machine.features.hostDNS: feature hostDNS.forwardKubeDNSToHost requires hostDNS.enabled to be true (.machine.features.hostDNS)",
      ],
    },
    {
      name: "1.13: KubeSpan needs discovery, cluster id and secret in v1alpha1",
      base: merge(OLD_WORKER, { machine: { network: { kubespan: { enabled: true } } } }),
      docs: [],
      contract: "v1.13",
      errors: [
        "v1alpha1 machine.network.kubespan.enabled: .cluster.discovery should be enabled when .machine.network.kubespan is enabled",
        "v1alpha1 machine.network.kubespan.enabled: .cluster.id should be set when .machine.network.kubespan is enabled",
        "v1alpha1 machine.network.kubespan.enabled: .cluster.secret should be set when .machine.network.kubespan is enabled",
      ],
    },
    {
      name: "1.13: KubeSpan with discovery and an identity passes",
      base: merge(OLD_WORKER, {
        machine: { network: { kubespan: { enabled: true } } },
        cluster: { id: "id", secret: "secret", discovery: { enabled: true } },
      }),
      docs: [],
      contract: "v1.13",
    },
    {
      name: "1.14: KubeSpan's need of discovery is the whole config's",
      base: merge(OLD_WORKER, { machine: { network: { kubespan: { enabled: true } } } }),
      docs: [],
      contract: "v1.14",
      errors: ["v1alpha1: KubeSpan requires cluster discovery to be enabled"],
    },
    {
      name: "1.12: the endpoint filter message as Talos 1.12 spelt it",
      base: merge(OLD_WORKER, {
        machine: { network: { kubespan: { enabled: true, filters: { endpoints: ["nope"] } } } },
        cluster: { id: "id", secret: "secret", discovery: { enabled: true } },
      }),
      docs: [],
      contract: "v1.12",
      errors: [
        'v1alpha1 machine.network.kubespan.filters.endpoints: KubeSpan endpoint filer is not valid: "nope"',
      ],
    },
    {
      name: "1.13: the endpoint filter message",
      base: merge(OLD_WORKER, {
        machine: { network: { kubespan: { enabled: true, filters: { endpoints: ["nope"] } } } },
        cluster: { id: "id", secret: "secret", discovery: { enabled: true } },
      }),
      docs: [],
      contract: "v1.13",
      errors: [
        'v1alpha1 machine.network.kubespan.filters.endpoints: KubeSpan endpoint filter is not valid: "nope"',
      ],
    },
    {
      name: "1.12: the extensions deprecation points at the old documentation",
      base: merge(OLD_WORKER, { machine: { install: { extensions: [{ image: "ghcr.io/a/b:1" }] } } }),
      docs: [],
      contract: "v1.12",
      warnings: [
        "v1alpha1 machine.install.extensions: .machine.install.extensions is deprecated, please see https://www.talos.dev/latest/talos-guides/install/boot-assets/",
      ],
    },
    {
      name: "1.13: the extensions deprecation points at the new documentation",
      base: merge(OLD_WORKER, { machine: { install: { extensions: [{ image: "ghcr.io/a/b:1" }] } } }),
      docs: [],
      contract: "v1.13",
      warnings: [
        "v1alpha1 machine.install.extensions: .machine.install.extensions is deprecated, please see https://docs.siderolabs.com/talos/latest/platform-specific-installations/boot-assets",
      ],
    },
    {
      name: "1.13: .machine.files is not deprecated yet",
      base: merge(OLD_WORKER, {
        machine: { files: [{ path: "/var/f", op: "create", content: "x", permissions: 0o644 }] },
      }),
      docs: [],
      contract: "v1.13",
    },
    {
      name: "1.14: .machine.files is deprecated",
      base: merge(OLD_WORKER, {
        machine: { files: [{ path: "/var/f", op: "create", content: "x", permissions: 0o644 }] },
      }),
      docs: [],
      contract: "v1.14",
      warnings: [
        "v1alpha1 machine.files: .machine.files is deprecated; use dedicated configuration documents instead",
      ],
    },
    {
      name: "1.13: flannel network policies with a custom CNI",
      base: merge(CP, {
        cluster: {
          ...ENDPOINT,
          network: {
            cni: {
              name: "custom",
              urls: ["https://a.example/x.yaml"],
              flannel: { kubeNetworkPoliciesEnabled: true },
            },
          },
        },
        machine: { install: { disk: "/dev/sda" } },
      }),
      docs: [],
      contract: "v1.13",
      errors: [
        'v1alpha1 cluster.network.cni: "flannelKubeNetworkPoliciesEnabled" should not be enabled for "custom" CNI',
      ],
    },
  ]);
});

describe("document rules across releases", () => {
  table([
    {
      name: "1.13: HostnameConfig auto off without a hostname",
      base: OLD_WORKER,
      docs: [doc("HostnameConfig", { auto: "off" })],
      contract: "v1.13",
      errors: ["HostnameConfig: either 'auto' or 'hostname' must be set"],
    },
    {
      name: "1.14: HostnameConfig auto off without a hostname passes",
      base: OLD_WORKER,
      docs: [doc("HostnameConfig", { auto: "off" })],
      contract: "v1.14",
    },
    {
      name: "1.12: a LinkAliasConfig name with a format verb passes",
      base: OLD_WORKER,
      docs: [doc("LinkAliasConfig", { name: "net%x", selector: { match: "link.driver == 'e1000'" } })],
      contract: "v1.12",
    },
    {
      name: "1.13: a LinkAliasConfig name must end in %d",
      base: OLD_WORKER,
      docs: [doc("LinkAliasConfig", { name: "net%x", selector: { match: "link.driver == 'e1000'" } })],
      contract: "v1.13",
      errors: ['LinkAliasConfig/net%x name: name "net%x" contains an invalid format verb, use %d suffix'],
    },
    {
      name: "1.12: a 802.3ad bond without timers passes quietly",
      base: OLD_WORKER,
      docs: [doc("BondConfig", { name: "bond0", links: ["eth0"], bondMode: "802.3ad" })],
      contract: "v1.12",
    },
    {
      name: "1.13: a 802.3ad bond without timers warns",
      base: OLD_WORKER,
      docs: [doc("BondConfig", { name: "bond0", links: ["eth0"], bondMode: "802.3ad" })],
      contract: "v1.13",
      warnings: [
        "BondConfig/bond0 miimon: miimon was not specified for 802.3ad bond",
        "BondConfig/bond0 updelay: updelay was not specified for 802.3ad bond",
        "BondConfig/bond0 downdelay: downdelay was not specified for 802.3ad bond",
      ],
    },
    {
      name: "1.14: primaryReselect without primary passes quietly",
      base: OLD_WORKER,
      docs: [
        doc("BondConfig", {
          name: "bond0",
          links: ["eth0"],
          bondMode: "active-backup",
          primaryReselect: "always",
        }),
      ],
      contract: "v1.14",
    },
    {
      name: "1.15: primaryReselect without primary warns",
      base: OLD_WORKER,
      docs: [
        doc("BondConfig", {
          name: "bond0",
          links: ["eth0"],
          bondMode: "active-backup",
          primaryReselect: "always",
        }),
      ],
      contract: "v1.15",
      warnings: [
        "BondConfig/bond0 primaryReselect: primaryReselect has no effect unless primary is specified",
      ],
    },
    {
      name: "1.14: a directory volume takes no mount settings",
      base: OLD_WORKER,
      docs: [doc("UserVolumeConfig", { name: "data", volumeType: "directory", mount: { secure: true } })],
      contract: "v1.14",
      errors: ["UserVolumeConfig/data mount: mount spec is invalid for volumeType directory"],
    },
    {
      name: "1.15: a directory volume may set secure",
      base: OLD_WORKER,
      docs: [doc("UserVolumeConfig", { name: "data", volumeType: "directory", mount: { secure: true } })],
      contract: "v1.15",
    },
    {
      name: "1.13: image patterns without a registry pass quietly",
      base: OLD_WORKER,
      docs: [doc("ImageVerificationConfig", { rules: [{ image: "nginx", skip: true }] })],
      // The schema of this generation does not carry the kind: validated as a 1.13 node would.
      talosVersion: "v1.13.0",
    },
    {
      name: "1.14: image patterns without a registry warn",
      base: OLD_WORKER,
      docs: [doc("ImageVerificationConfig", { rules: [{ image: "nginx", skip: true }] })],
      contract: "v1.14",
      warnings: [
        "ImageVerificationConfig rules[0].image: rule 0: imagePattern does not contain a '/', image references like 'nginx' are matched as 'docker.io/nginx' (normalized)",
      ],
    },
    {
      name: "the node's own version picks the rules when no contract is given",
      base: merge(OLD_WORKER, { machine: { install: null } }),
      docs: [],
      talosVersion: "v1.13.4",
      errors: ['v1alpha1 machine.install: install instructions are required in "metal" mode'],
    },
  ]);
});
