// The v1alpha1 document's rules, valid and invalid, and the whole config's rules for each mode.
import { describe, expect, it } from "vitest";
import { encodeYaml } from "../../yaml/index.js";
import { loadMachineConfig } from "../load/index.js";
import { validateContainer } from "./container.js";
import { Findings } from "./findings.js";
import { parseValidationMode, VALIDATION_MODES } from "./index.js";
import { CP, doc, merge, run, table, WORKER } from "./testkit.js";

const RESOLVER = doc("ResolverConfig", { hostDNS: { enabled: true, forwardKubeDNSToHost: true } });
const KEY = Buffer.alloc(32, 1).toString("base64");

describe("modes", () => {
  it("minimal control plane and worker configs pass in every mode, strict", () => {
    for (const mode of VALIDATION_MODES) {
      expect(run([CP, RESOLVER], { mode, strict: true })).toEqual({ errors: [], warnings: [] });
      expect(run([WORKER, RESOLVER], { mode, strict: true })).toEqual({ errors: [], warnings: [] });
    }
  });

  it("parses modes and names the valid ones on a mistake", () => {
    expect(parseValidationMode("metal-agent")).toBe("metal-agent");
    expect(() => parseValidationMode("baremetal")).toThrow(
      'unknown runtime mode: "baremetal" (valid modes: cloud, container, metal, metal-agent)',
    );
  });
});

describe("v1alpha1: machine, cluster, CAs", () => {
  table([
    {
      name: "machine instructions are required",
      base: null,
      docs: [{ version: "v1alpha1", persist: true }],
      errors: ["v1alpha1 machine: machine instructions are required"],
    },
    {
      name: "cluster instructions are required",
      base: null,
      docs: [merge(WORKER, { cluster: null })],
      errors: ["v1alpha1 cluster: cluster instructions are required"],
    },
    {
      name: ".persist should be enabled",
      base: merge(WORKER, { persist: false }),
      docs: [],
      errors: ["v1alpha1 persist: .persist should be enabled"],
    },
    {
      name: "old machine type spellings warn",
      base: merge(WORKER, { machine: { type: "join" } }),
      docs: [],
      warnings: ['v1alpha1 machine.type: use "worker" instead of "join" for machine type'],
    },
    {
      name: "strict turns v1alpha1 warnings into errors",
      base: merge(WORKER, { machine: { type: "" } }),
      docs: [],
      strict: true,
      errors: ['v1alpha1 machine.type: warning: use "worker" instead of "" for machine type'],
    },
    {
      name: "unknown machine type",
      base: merge(WORKER, { machine: { type: "master" } }),
      docs: [],
      errors: ['v1alpha1 machine.type: unknown machine type "master"'],
    },
    {
      name: "CAs",
      base: merge(CP, { machine: { ca: { key: "" } } }),
      docs: [],
      errors: [
        "v1alpha1 machine.ca.key: issuing CA key is required for controlplane nodes (.machine.ca.key)",
      ],
    },
    {
      name: "worker CA keys",
      base: merge(WORKER, { machine: { ca: { key: "a2V5" } }, cluster: { ca: { crt: "x", key: "y" } } }),
      docs: [],
      errors: [
        "v1alpha1 cluster.ca.key: cluster CA key is not allowed on non-controlplane nodes (.cluster.ca)",
        "v1alpha1 machine.ca.key: issuing Talos API CA key is not allowed on non-controlplane nodes (.machine.ca)",
        "v1alpha1 cluster.ca.key: issuing Kubernetes API CA key is not allowed on non-controlplane nodes (.cluster.ca)",
      ],
    },
    {
      name: "no .cluster.etcd on a control plane is valid",
      base: merge(CP, { cluster: { etcd: null } }),
      docs: [],
    },
    { name: "an empty etcd CA is valid", base: merge(CP, { cluster: { etcd: { ca: {} } } }), docs: [] },
    {
      name: "etcd without a CA, etcd on a worker",
      base: merge(CP, { cluster: { etcd: { ca: null, advertisedSubnets: ["nope"] } } }),
      docs: [],
      errors: [
        "v1alpha1 cluster.etcd.ca: key/cert combination should not be empty",
        'v1alpha1 cluster.etcd.advertisedSubnets: etcd advertised subnet is not valid: "nope"',
        'v1alpha1 cluster.etcd.listenSubnets: etcd listen subnet is not valid: "nope"',
      ],
    },
    {
      name: "endpoint and DNS domain",
      base: merge(WORKER, {
        cluster: { controlPlane: { endpoint: "https://fd00::1:6443" }, network: { dnsDomain: "bad domain" } },
      }),
      docs: [],
      errors: [
        "v1alpha1 cluster.controlPlane.endpoint: invalid controlplane endpoint: IPv6 addresses MUST be enclosed by square brackets",
        'v1alpha1 cluster.network.dnsDomain: "bad domain" is not a valid DNS name',
      ],
    },
  ]);
});

describe("v1alpha1: install, CNI, features", () => {
  table([
    {
      name: "metal requires an install disk only when .machine.install is present",
      base: merge(WORKER, { machine: { install: { image: "i" } } }),
      docs: [],
      errors: ["v1alpha1 machine.install: either install disk or diskSelector should be defined"],
    },
    {
      name: "cloud does not check the install section",
      base: merge(WORKER, { machine: { install: { image: "i" } } }),
      docs: [],
      mode: "cloud",
    },
    {
      name: "flannel-only options with a custom CNI",
      base: merge(CP, {
        cluster: {
          network: { cni: { name: "custom", urls: ["https://x/y.yaml"], flannel: { extraArgs: ["--a"] } } },
        },
      }),
      docs: [],
      errors: ['v1alpha1 cluster.network.cni: "flanneldExtraArgs" field should be empty for "custom" CNI'],
    },
    {
      name: "custom CNI without URLs warns",
      base: merge(CP, { cluster: { network: { cni: { name: "custom" } } } }),
      docs: [],
      warnings: ['v1alpha1 cluster.network.cni: "urls" field should not be empty for "custom" CNI'],
    },
    {
      name: "unknown CNI",
      base: merge(CP, { cluster: { network: { cni: { name: "calico" } } } }),
      docs: [],
      errors: ['v1alpha1 cluster.network.cni: cni name should be one of ["flannel", "custom", "none"]'],
    },
    {
      name: "host DNS forwarding without host DNS; API access roles; sort algorithm",
      base: merge(WORKER, {
        machine: {
          features: {
            hostDNS: { enabled: false, forwardKubeDNSToHost: true },
            kubernetesTalosAPIAccess: { enabled: true, allowedRoles: ["os:god"] },
            nodeAddressSortAlgorithm: "v3",
          },
        },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.features.hostDNS: feature hostDNS.forwardKubeDNSToHost requires hostDNS.enabled to be true (.machine.features.hostDNS)",
        "v1alpha1 machine.features.kubernetesTalosAPIAccess: feature Kubernetes Talos API Access can only be enabled on control plane machines",
        'v1alpha1 machine.features.kubernetesTalosAPIAccess.allowedRoles[0]: invalid role "os:god" in allowed roles for Kubernetes Talos API Access',
        "v1alpha1 machine.features.nodeAddressSortAlgorithm: invalid node address sort algorithm: v3 does not belong to AddressSortAlgorithm values",
      ],
    },
    {
      name: "deprecated fields warn",
      base: merge(WORKER, { machine: { files: [{ path: "/var/f", content: "x", op: "create" }] } }),
      docs: [],
      warnings: [
        "v1alpha1 machine.files: .machine.files is deprecated; use dedicated configuration documents instead",
      ],
    },
  ]);
});

describe("v1alpha1: network interfaces", () => {
  const iface = (device: object) => merge(CP, { machine: { network: { interfaces: [device] } } });
  table([
    {
      name: "a valid interface",
      base: iface({
        interface: "eth0",
        addresses: ["10.0.0.2/24"],
        routes: [{ network: "0.0.0.0/0", gateway: "10.0.0.1" }],
      }),
      docs: [],
    },
    {
      name: "interface or selector",
      base: iface({ addresses: ["10.0.0.2/24"] }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0]: [networking.os.device.interface], [networking.os.device.deviceSelector]: required either config section to be set",
      ],
    },
    {
      name: "CIDR errors in Talos's form, with the deprecation warning",
      base: iface({ interface: "eth0", cidr: "10.0.0.300/24" }),
      docs: [],
      errors: [
        'v1alpha1 machine.network.interfaces[0].cidr: [networking.os.device.CIDR] "eth0": invalid CIDR address: 10.0.0.300/24',
      ],
      warnings: [
        'v1alpha1 machine.network.interfaces[0].cidr: "eth0": machine.network.interface.cidr is deprecated, please use machine.network.interface.addresses',
      ],
    },
    {
      name: "routes",
      base: iface({ interface: "eth0", routes: [{ metric: 1 }, { network: "x", gateway: "y" }] }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].routes[0]: [networking.os.device.route[0]]: either network or gateway should be set",
        'v1alpha1 machine.network.interfaces[0].routes[1].network: [networking.os.device.route[1].network] "x": invalid network address',
        'v1alpha1 machine.network.interfaces[0].routes[1].gateway: [networking.os.device.route[1].gateway] "y": invalid network address',
      ],
    },
    {
      name: "bonds",
      base: iface({
        interface: "bond0",
        bond: { mode: "active-backup", interfaces: ["eth0"], lacpRate: "fast", miimon: 100, updelay: 150 },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].bond: bond.upDelay should be a multiple of miiMon",
        "v1alpha1 machine.network.interfaces[0].bond: bond.lacpRate is only available in 802.3ad mode",
      ],
    },
    {
      name: "wireguard keys",
      base: iface({
        interface: "wg0",
        wireguard: { privateKey: KEY, peers: [{ publicKey: "short", endpoint: "host" }] },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].wireguard: public key invalid: illegal base64 data at input byte 4",
        'v1alpha1 machine.network.interfaces[0].wireguard: peer endpoint "host" is invalid',
      ],
    },
    {
      name: "VIP on a worker",
      base: merge(WORKER, {
        machine: { network: { interfaces: [{ interface: "eth0", vip: { ip: "10.0.0.10" } }] } },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].vip: virtual (shared) IP is not allowed on non-controlplane nodes",
      ],
    },
  ]);
});

describe("v1alpha1: disks, kubelet, encryption, logging, labels, registries", () => {
  table([
    {
      name: "disk partitions, kubelet",
      base: merge(WORKER, {
        machine: {
          disks: [
            { device: "/dev/sdb", partitions: [{ mountpoint: "/a" }, { size: "1GB", mountpoint: "/b" }] },
          ],
          kubelet: { extraConfig: { port: 1 }, nodeIP: { validSubnets: ["x"] } },
        },
      }),
      docs: [],
      errors: [
        'v1alpha1 machine.disks[0].partitions[0].size: partition for disk "/dev/sdb" is set to occupy full disk, but it\'s not the last partition in the list',
        'v1alpha1 machine.kubelet.nodeIP.validSubnets: kubelet nodeIP subnet is not valid: "x"',
        'v1alpha1 machine.kubelet.extraConfig.port: kubelet configuration field "port" can\'t be overridden',
      ],
    },
    {
      name: "system disk encryption keys",
      base: merge(WORKER, {
        machine: {
          systemDiskEncryption: {
            state: { provider: "luks2", keys: [] },
            ephemeral: { provider: "luks2", keys: [{ slot: 0 }] },
          },
        },
      }),
      docs: [],
      errors: [
        'v1alpha1 machine.systemDiskEncryption.ephemeral.keys[0]: partition "EPHEMERAL": encryption key at slot 0 doesn\'t have the configuration parameters',
        'v1alpha1 machine.systemDiskEncryption.state.keys: partition "STATE": no encryption keys provided',
      ],
    },
    {
      name: "logging destinations",
      base: merge(WORKER, {
        machine: { logging: { destinations: [{ endpoint: "http://x:1", format: "json" }] } },
      }),
      docs: [],
      errors: [
        'v1alpha1 machine.logging.destinations[0].endpoint: unexpected logging endpoint scheme "http"',
        'v1alpha1 machine.logging.destinations[0].format: unknown logging format "json"',
      ],
    },
    {
      name: "node labels and taints",
      base: merge(WORKER, { machine: { nodeLabels: { "a/b/c": "x" }, nodeTaints: { t: "v:Sometimes" } } }),
      docs: [],
      errors: [
        'v1alpha1 machine.nodeLabels: invalid machine node labels: 1 error occurred:\n\t* invalid format: too many slashes: "a/b/c"\n\n',
        'v1alpha1 machine.nodeTaints: invalid machine node taints: 1 error occurred:\n\t* invalid taint effect: "Sometimes"\n\n',
      ],
    },
    {
      name: "several label problems are one error listing them",
      base: merge(WORKER, {
        machine: { nodeLabels: { "/a": "x", b: "#$" }, nodeAnnotations: { ok: "yes" } },
      }),
      docs: [],
      errors: [
        'v1alpha1 machine.nodeLabels: invalid machine node labels: 2 errors occurred:\n\t* prefix cannot be empty: "/a"\n\t* label value "#$" is invalid\n\n',
      ],
    },
    {
      name: "base runtime spec overrides must decode into an OCI spec",
      base: merge(WORKER, { machine: { baseRuntimeSpecOverrides: { vm: [1], process: "x" } } }),
      docs: [],
      errors: [
        "v1alpha1 machine.baseRuntimeSpecOverrides: failed to unmarshal base runtime spec overrides: json: cannot unmarshal string into Go struct field Spec.process of type specs.Process",
      ],
      warnings: [
        "v1alpha1 machine.baseRuntimeSpecOverrides: .machine.baseRuntimeSpecOverrides is deprecated; use a CRIBaseRuntimeSpecConfig document instead",
      ],
    },
    {
      name: "valid base runtime spec overrides are only deprecated",
      base: merge(WORKER, { machine: { baseRuntimeSpecOverrides: { process: { rlimits: [] } } } }),
      docs: [],
      warnings: [
        "v1alpha1 machine.baseRuntimeSpecOverrides: .machine.baseRuntimeSpecOverrides is deprecated; use a CRIBaseRuntimeSpecConfig document instead",
      ],
    },
    {
      name: "the node checks the kubelet version it runs with",
      base: merge(WORKER, { machine: { kubelet: { image: "ghcr.io/siderolabs/kubelet:v1.99.0" } } }),
      docs: [],
      talosVersion: "v1.14.2",
      errors: [
        "v1alpha1 machine.kubelet.image: kubelet image is not valid: version of Kubernetes 1.99.0 is too new to be used with Talos 1.14.2",
      ],
    },
  ]);
});

describe("the whole config", () => {
  table([
    {
      name: "container mode needs host DNS forwarding",
      base: WORKER,
      docs: [],
      mode: "container",
      errors: ["v1alpha1: hostDNS config is required in container mode"],
    },
    {
      name: "container mode with host DNS but no forwarding",
      base: WORKER,
      docs: [doc("ResolverConfig", { hostDNS: { enabled: true } })],
      mode: "container",
      errors: ["ResolverConfig: forwardKubeDNSToHost must be enabled in container mode"],
    },
    {
      name: "legacy discovery needs an identity",
      base: merge(WORKER, { cluster: { discovery: { enabled: true } } }),
      docs: [],
      errors: [
        "v1alpha1 cluster.id: cluster discovery service requires .cluster.id",
        "v1alpha1 cluster.secret: cluster discovery service requires .cluster.secret",
        "v1alpha1: cluster ID (.cluster.id or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
        "v1alpha1: cluster secret (.cluster.secret or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
      ],
    },
    {
      name: "a config of documents without v1alpha1 is validated as Talos does",
      base: null,
      docs: [doc("HostnameConfig", { auto: "stable" })],
    },
  ]);
});

describe("v1alpha1: fields set but empty, install disk selectors", () => {
  table([
    {
      name: "an endpoint written as an empty string is set, and has no host",
      base: merge(WORKER, { cluster: { controlPlane: { endpoint: "" } } }),
      docs: [],
      errors: [
        "v1alpha1 cluster.controlPlane.endpoint: invalid controlplane endpoint: hostname must not be blank",
      ],
    },
    {
      name: "a control plane section without an endpoint",
      base: merge(WORKER, { cluster: { controlPlane: {}, network: { dnsDomain: "bad domain" } } }),
      docs: [],
      errors: ["v1alpha1 cluster.controlPlane.endpoint: cluster controlplane endpoint is required"],
    },
    {
      name: "a port that is not a number fails to parse",
      base: merge(WORKER, { cluster: { controlPlane: { endpoint: "https://cp.example:api" } } }),
      docs: [],
      errors: [
        'v1alpha1 cluster.controlPlane.endpoint: invalid controlplane endpoint: parse "https://cp.example:api": invalid port ":api" after host',
      ],
    },
    {
      name: "1.13: no endpoint at all is the only cluster error",
      base: merge(WORKER, { cluster: { network: { dnsDomain: "bad domain" } } }),
      docs: [],
      contract: "v1.13",
      mode: "cloud",
      errors: ["v1alpha1 cluster.controlPlane.endpoint: cluster controlplane endpoint is required"],
    },
    {
      name: "1.13: an empty endpoint is checked, not missing",
      base: merge(WORKER, {
        cluster: { controlPlane: { endpoint: "" } },
        machine: { install: { disk: "/dev/sda" } },
      }),
      docs: [],
      contract: "v1.13",
      errors: [
        "v1alpha1 cluster.controlPlane.endpoint: invalid controlplane endpoint: hostname must not be blank",
      ],
    },
    {
      name: "a logging endpoint written as an empty string has neither host nor scheme",
      base: merge(WORKER, {
        machine: {
          logging: {
            destinations: [
              { endpoint: "", format: "json_lines" },
              { format: "json_lines" },
              { endpoint: "udp://127.0.0.1:5044", format: "json_lines" },
            ],
          },
        },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.logging.destinations[0].endpoint: empty logging endpoint's host",
        'v1alpha1 machine.logging.destinations[0].endpoint: unexpected logging endpoint scheme ""',
        "v1alpha1 machine.logging.destinations[1].endpoint: empty logging endpoint",
      ],
    },
    {
      name: "a disk selector by size, model and type is valid",
      base: merge(WORKER, {
        machine: { install: { diskSelector: { size: ">= 100 GB", model: "WDC*", type: "ssd" } } },
      }),
      docs: [],
    },
    {
      name: "a disk selector by name is not supported, and selects no disk",
      base: merge(WORKER, { machine: { install: { diskSelector: { name: "sda" } } } }),
      docs: [],
      errors: [
        "v1alpha1 machine.install.diskSelector: install disk selector is invalid: selector on name is not supported",
        "v1alpha1 machine.install: either install disk or diskSelector should be defined",
      ],
    },
    {
      name: "an unreadable disk size fails whatever the mode",
      base: merge(WORKER, {
        machine: { install: { disk: "/dev/sda", diskSelector: { size: "<= 4 parsecs" } } },
      }),
      docs: [],
      mode: "cloud",
      errors: [
        "v1alpha1 machine.install.diskSelector.size: failed to parse disk size  4 parsecs: unhandled size name: parsecs",
      ],
    },
    {
      name: "a disk size with an operator Talos does not know",
      base: merge(WORKER, { machine: { install: { disk: "/dev/sda", diskSelector: { size: "=4GB" } } } }),
      docs: [],
      errors: [
        'v1alpha1 machine.install.diskSelector.size: failed to parse disk size =4GB: strconv.ParseFloat: parsing "": invalid syntax',
      ],
    },
    {
      name: "a device selector with only `physical: false` is not empty",
      base: merge(CP, {
        machine: { network: { interfaces: [{ deviceSelector: { physical: false }, dhcp: true }] } },
      }),
      docs: [],
    },
    {
      name: "a device selector with nothing set is empty",
      base: merge(CP, {
        machine: { network: { interfaces: [{ deviceSelector: { driver: "" }, dhcp: true }] } },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].deviceSelector: [networking.os.device.deviceSelector]: config section should contain at least one field",
      ],
    },
    {
      name: "an unknown bond mode is checked as balance-rr",
      base: merge(CP, {
        machine: {
          network: {
            interfaces: [
              { interface: "bond0", bond: { mode: "round-robin", interfaces: ["eth0"], primary: "eth0" } },
            ],
          },
        },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].bond: invalid bond type round-robin",
        "v1alpha1 machine.network.interfaces[0].bond: bond.primary is not available in balance-rr mode",
      ],
    },
    {
      name: "a partition size of 0 bytes in any unit occupies the full disk",
      base: merge(WORKER, {
        machine: {
          disks: [
            {
              device: "/dev/sdb",
              partitions: [
                { size: "0 GB", mountpoint: "/a" },
                { size: "1GB", mountpoint: "/b" },
              ],
            },
          ],
        },
      }),
      docs: [],
      errors: [
        'v1alpha1 machine.disks[0].partitions[0].size: partition for disk "/dev/sdb" is set to occupy full disk, but it\'s not the last partition in the list',
      ],
    },
  ]);
});

describe("v1alpha1: addresses, subnets and URLs as Go parses them", () => {
  const wireguard = (endpoint: string) =>
    merge(CP, {
      machine: {
        network: {
          interfaces: [
            { interface: "wg0", wireguard: { privateKey: KEY, peers: [{ publicKey: KEY, endpoint }] } },
          ],
        },
      },
    });
  const OLD = merge(WORKER, {
    cluster: {
      controlPlane: { endpoint: "https://10.0.0.1:6443" },
      id: "i",
      secret: "s",
      discovery: { enabled: true },
    },
    machine: { install: { disk: "/dev/sda" } },
  });
  const filters = (endpoints: string[], excludeAdvertisedNetworks: string[]) =>
    merge(OLD, {
      machine: {
        network: { kubespan: { enabled: true, filters: { endpoints, excludeAdvertisedNetworks } } },
      },
    });
  table([
    {
      name: "a wireguard endpoint with a bracketed IPv6 address",
      base: wireguard("[fd00::1]:51820"),
      docs: [],
    },
    { name: "a wireguard endpoint with a host name", base: wireguard("wg.example.com:51820"), docs: [] },
    {
      name: "a wireguard endpoint with an unbracketed IPv6 address",
      base: wireguard("fd00::1:51820"),
      docs: [],
      errors: ['v1alpha1 machine.network.interfaces[0].wireguard: peer endpoint "fd00::1:51820" is invalid'],
    },
    {
      name: "a wireguard endpoint with a bracketed name that is not an address",
      base: wireguard("[wg:example]:51820"),
      docs: [],
      errors: [
        'v1alpha1 machine.network.interfaces[0].wireguard: peer endpoint "[wg:example]:51820" is invalid',
      ],
    },
    {
      name: "subnets are netip prefixes or addresses: a zone on a bare address is one",
      base: merge(WORKER, {
        machine: { kubelet: { nodeIP: { validSubnets: ["fe80::1%eth0", "!10.0.0.0/8"] } } },
      }),
      docs: [],
    },
    {
      name: "subnets are netip prefixes: leading zeros in the bits are not",
      base: merge(WORKER, { machine: { kubelet: { nodeIP: { validSubnets: ["10.0.0.0/08"] } } } }),
      docs: [],
      errors: [
        'v1alpha1 machine.kubelet.nodeIP.validSubnets: kubelet nodeIP subnet is not valid: "10.0.0.0/08"',
      ],
    },
    {
      name: "a discovery endpoint with a port that is not a number",
      base: merge(WORKER, {
        cluster: {
          id: "i",
          secret: "s",
          discovery: { enabled: true, registries: { service: { endpoint: "https://d:x" } } },
        },
      }),
      docs: [],
      errors: [
        'v1alpha1 cluster.discovery.registries.service.endpoint: cluster discovery service registry endpoint is invalid: parse "https://d:x": invalid port ":x" after host',
      ],
    },
    {
      name: "a discovery endpoint url.Parse refuses is no discovery service for KubeSpan",
      base: merge(WORKER, {
        cluster: {
          id: "i",
          secret: "s",
          discovery: { enabled: true, registries: { service: { endpoint: "https://d:x" } } },
        },
        machine: { network: { kubespan: { enabled: true } } },
      }),
      docs: [],
      errors: [
        'v1alpha1 cluster.discovery.registries.service.endpoint: cluster discovery service registry endpoint is invalid: parse "https://d:x": invalid port ":x" after host',
        "v1alpha1: KubeSpan requires cluster discovery to be enabled",
      ],
    },
    {
      name: "a discovery endpoint without a scheme",
      base: merge(WORKER, {
        cluster: {
          id: "i",
          secret: "s",
          discovery: { enabled: true, registries: { service: { endpoint: ":443" } } },
        },
      }),
      docs: [],
      errors: [
        'v1alpha1 cluster.discovery.registries.service.endpoint: cluster discovery service registry endpoint is invalid: parse ":443": missing protocol scheme',
      ],
    },
    {
      name: "a discovery endpoint of only a path-like host",
      base: merge(WORKER, {
        cluster: {
          id: "i",
          secret: "s",
          discovery: { enabled: true, registries: { service: { endpoint: "//d.example" } } },
        },
      }),
      docs: [],
      errors: [
        "v1alpha1 cluster.discovery.registries.service.endpoint: cluster discovery service path should be empty",
      ],
    },
    {
      name: "Talos 1.12.3 spells the endpoint filter message 'filer' and has no advertised networks filter",
      base: filters(["nope"], ["bad"]),
      docs: [],
      talosVersion: "v1.12.3",
      errors: [
        'v1alpha1 machine.network.kubespan.filters.endpoints: KubeSpan endpoint filer is not valid: "nope"',
      ],
    },
    {
      name: "Talos 1.12.4 fixed the word and checks the advertised networks filter",
      base: filters(["nope"], ["bad"]),
      docs: [],
      talosVersion: "v1.12.4",
      errors: [
        'v1alpha1 machine.network.kubespan.filters.endpoints: KubeSpan endpoint filter is not valid: "nope"',
        'v1alpha1 machine.network.kubespan.filters.excludeAdvertisedNetworks: KubeSpan exclude advertised networks filter is not valid: "bad"',
      ],
    },
  ]);
});

describe("the whole config: legacy blocks set but empty, DNS protocols", () => {
  const ENCRYPTION = "etcd encryption config is required for control plane machines running kube-apiserver";
  table([
    {
      name: "an empty .cluster.ca is a Kubernetes API server CA: etcd encryption is required",
      base: merge(CP, { cluster: { ca: {} } }),
      docs: [],
      errors: [`v1alpha1: ${ENCRYPTION}`],
    },
    {
      name: "an empty .cluster.acceptedCAs list is one too",
      base: merge(CP, { cluster: { acceptedCAs: [] } }),
      docs: [],
      errors: [`v1alpha1: ${ENCRYPTION}`],
    },
    {
      name: "the legacy secretbox secret is an etcd encryption config",
      base: merge(CP, { cluster: { ca: {}, secretboxEncryptionSecret: "c2VjcmV0" } }),
      docs: [],
    },
    {
      name: "a worker carries no API server",
      base: merge(WORKER, { cluster: { acceptedCAs: [] } }),
      docs: [],
    },
    {
      name: "1.13 had no rules about the config as a whole",
      base: merge(CP, {
        cluster: { ca: {}, controlPlane: { endpoint: "https://10.0.0.1:6443" } },
        machine: { install: { disk: "/dev/sda" } },
      }),
      docs: [],
      contract: "v1.13",
    },
    {
      name: "an empty .machine.features.hostDNS is the host DNS config in container mode",
      base: merge(WORKER, { machine: { features: { hostDNS: {} } } }),
      docs: [],
      mode: "container",
      errors: [
        "v1alpha1: hostDNS must be enabled in container mode",
        "v1alpha1: forwardKubeDNSToHost must be enabled in container mode",
      ],
    },
    {
      name: "a ResolverConfig without host DNS leaves it to v1alpha1's",
      base: merge(WORKER, {
        machine: { features: { hostDNS: { enabled: true, forwardKubeDNSToHost: true } } },
      }),
      docs: [doc("ResolverConfig", { nameservers: [{ address: "1.1.1.1" }] })],
      mode: "container",
    },
  ]);

  it("reads DNS protocol names in any case", () => {
    const problems = (protocol: string) => {
      const cfg = loadMachineConfig(
        [WORKER, doc("ResolverConfig", { nameservers: [{ address: "1.1.1.1", protocol }] })]
          .map((d) => encodeYaml(d))
          .join("---\n"),
      );
      const f = new Findings();
      validateContainer(cfg, "metal", f);
      return f.errors.map((e) => e.message);
    };
    expect(problems("do53")).toEqual([]);
    expect(problems("Do53")).toEqual([]);
    expect(problems("dot")).toEqual(["hostDNS must be enabled when using non-default DNS protocols"]);
  });
});

describe("v1alpha1: links and their members", () => {
  const interfaces = (...devices: object[]) => merge(CP, { machine: { network: { interfaces: devices } } });
  table([
    {
      name: "members of a bond carry no addressing of their own",
      base: interfaces(
        { interface: "bond0", bond: { interfaces: ["eth0", "eth1", "eth2"] }, dhcp: true },
        { interface: "eth0", dhcp: true },
        { interface: "eth1", addresses: ["192.168.0.1/24"] },
        { interface: "eth2", vip: { ip: "192.168.0.10" } },
      ),
      docs: [],
      errors: [
        'v1alpha1 machine.network.interfaces[1]: [networking.os.device] "eth0": bonded/bridged interface shouldn\'t have any addressing methods configured',
        'v1alpha1 machine.network.interfaces[2]: [networking.os.device] "eth1": bonded/bridged interface shouldn\'t have any addressing methods configured',
        'v1alpha1 machine.network.interfaces[3]: [networking.os.device] "eth2": bonded/bridged interface shouldn\'t have any addressing methods configured',
      ],
    },
    {
      name: "a member of a bridge and of a bond",
      base: interfaces(
        { interface: "br0", bridge: { interfaces: ["eth1"] } },
        { interface: "bond0", bond: { interfaces: ["eth1"] } },
      ),
      docs: [],
      errors: [
        'v1alpha1 machine.network.interfaces[1]: interface "eth1" is declared as part of two separate links: "br0" and "bond0"',
      ],
    },
    {
      name: "net.ParseCIDR reads prefix lengths with leading zeros, and no zones",
      base: interfaces({
        interface: "eth0",
        routes: [
          { network: "10.0.0.0/0024", gateway: "10.0.0.1" },
          { network: "fe80::/64%eth0", gateway: "fe80::1" },
        ],
      }),
      docs: [],
      errors: [
        'v1alpha1 machine.network.interfaces[0].routes[1].network: [networking.os.device.route[1].network] "fe80::/64%eth0": invalid network address',
      ],
    },
    {
      name: "an ignored member is not checked",
      base: interfaces(
        { interface: "bond0", bond: { interfaces: ["eth0"] } },
        { interface: "eth0", dhcp: true, ignore: true },
      ),
      docs: [],
    },
  ]);
});

describe("v1alpha1: every rule refuses what Talos refuses", () => {
  const device = (dev: object) => merge(CP, { machine: { network: { interfaces: [dev] } } });
  const IDENTITY = { id: "i", secret: "s", discovery: { enabled: true } };
  table([
    {
      name: "addresses, VIP and VLAN addressing",
      base: device({
        interface: "eth0",
        addresses: ["10.0.0.300"],
        vip: { ip: "x" },
        vlans: [{ vlanId: 25, cidr: "10.3.x", addresses: ["10.3.x/24"] }],
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].vlans[0]: [networking.os.device.vlan] eth0.25: vlan can't have both .cidr and .addresses set",
        'v1alpha1 machine.network.interfaces[0].vlans[0].cidr: [networking.os.device.vlan.CIDR] eth0.25: failed to parse IP address "10.3.x"',
        "v1alpha1 machine.network.interfaces[0].vlans[0].addresses: [networking.os.device.vlan.addresses] eth0.25: invalid CIDR address: 10.3.x/24",
        'v1alpha1 machine.network.interfaces[0].addresses[0]: [networking.os.device.addresses] "eth0": failed to parse IP address "10.0.0.300"',
        'v1alpha1 machine.network.interfaces[0].vip.ip: [networking.os.device.vip] failed to parse "x" as IP address',
      ],
    },
    {
      name: "valid VLANs and VIP",
      base: device({
        interface: "eth0",
        addresses: ["10.0.0.2/24"],
        vip: { ip: "10.0.0.10" },
        vlans: [{ vlanId: 25, addresses: ["10.3.0.2/24"] }],
      }),
      docs: [],
    },
    {
      name: "a bond and a bridge on one interface",
      base: device({ interface: "x0", bond: { interfaces: ["eth0"] }, bridge: { interfaces: ["eth1"] } }),
      docs: [],
      errors: [
        'v1alpha1 machine.network.interfaces[0]: interface has both bridge and bond sections set "x0": config sections are mutually exclusive',
      ],
    },
    {
      name: "bond delays without miiMon",
      base: device({
        interface: "bond0",
        bond: { mode: "active-backup", interfaces: ["eth0"], updelay: 100, downdelay: 100 },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].bond: bond.upDelay can't be set if miiMon is zero",
        "v1alpha1 machine.network.interfaces[0].bond: bond.downDelay can't be set if miiMon is zero",
      ],
    },
    {
      name: "802.3ad bond options",
      base: device({
        interface: "bond0",
        bond: {
          mode: "802.3ad",
          interfaces: ["eth0"],
          miimon: 100,
          updelay: 200,
          downdelay: 150,
          arpIPTarget: ["10.0.0.1"],
          adActorSystem: "00:11:22:33:44:55",
          arpValidate: "active",
          arpInterval: 100,
          lacpRate: "fast",
          adActorSysPrio: 1,
        },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].bond: bond.downDelay should be a multiple of miiMon",
        "v1alpha1 machine.network.interfaces[0].bond: bond.arpIPTarget is not supported",
        "v1alpha1 machine.network.interfaces[0].bond: bond.adActorSystem is not supported",
        "v1alpha1 machine.network.interfaces[0].bond: bond.arpValidate is not available in 802.3ad mode",
        "v1alpha1 machine.network.interfaces[0].bond: bond.arpInterval is not available in 802.3ad mode",
      ],
    },
    {
      name: "options of other bond modes",
      base: device({
        interface: "bond0",
        bond: {
          mode: "balance-xor",
          interfaces: ["eth0"],
          packetsPerSlave: 2,
          tlbDynamicLb: 1,
          adActorSysPrio: 1,
          adUserPortKey: 1,
        },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].bond: bond.packetsPerSlave is not available in balance-xor mode",
        "v1alpha1 machine.network.interfaces[0].bond: bond.tlbDynamicTLB is not available in balance-xor mode",
        "v1alpha1 machine.network.interfaces[0].bond: bond.adActorSysPrio is only available in 802.3ad mode",
        "v1alpha1 machine.network.interfaces[0].bond: bond.adUserPortKey is only available in 802.3ad mode",
      ],
    },
    {
      name: "wireguard private key and allowed IPs",
      base: device({
        interface: "wg0",
        wireguard: {
          privateKey: "short",
          peers: [{ publicKey: KEY, allowedIPs: ["10.0.0.0/33", "10.1.0.0/16"] }],
        },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.network.interfaces[0].wireguard: private key is invalid: illegal base64 data at input byte 4",
        'v1alpha1 machine.network.interfaces[0].wireguard: peer allowed IP "10.0.0.0/33" is invalid: invalid CIDR address: 10.0.0.0/33',
      ],
    },
    {
      name: "KubeSpan MTU",
      base: merge(CP, {
        cluster: IDENTITY,
        machine: { network: { kubespan: { enabled: true, mtu: 1000 } } },
      }),
      docs: [],
      errors: ["v1alpha1 machine.network.kubespan.mtu: kubespan link MTU must be at least 1280"],
    },
    {
      name: "KubeSpan with its smallest MTU",
      base: merge(CP, {
        cluster: IDENTITY,
        machine: { network: { kubespan: { enabled: true, mtu: 1280 } } },
      }),
      docs: [],
    },
    {
      name: "install extensions and kernel arguments",
      base: merge(WORKER, {
        machine: {
          install: {
            disk: "/dev/sda",
            extraKernelArgs: ["console=ttyS0"],
            grubUseUKICmdline: true,
            extensions: [{ image: "ghcr.io/a:1" }, { image: "ghcr.io/a:1" }],
          },
        },
      }),
      docs: [],
      errors: [
        "v1alpha1 machine.install.extraKernelArgs: install.extraKernelArgs and install.grubUseUKICmdline can't be used together",
        'v1alpha1 machine.install.extensions[1].image: duplicate system extension "ghcr.io/a:1"',
      ],
      warnings: [
        "v1alpha1 machine.install.extensions: .machine.install.extensions is deprecated, please see https://docs.siderolabs.com/talos/latest/platform-specific-installations/boot-assets",
      ],
    },
    {
      name: "etcd on a worker",
      base: merge(WORKER, { cluster: { etcd: { ca: { crt: "Y3J0" } } } }),
      docs: [],
      errors: ["v1alpha1 cluster.etcd: etcd config is only allowed on control plane machines"],
    },
    {
      name: "etcd subnet and advertised subnets together",
      base: merge(CP, { cluster: { etcd: { subnet: "10.0.0.0/8", advertisedSubnets: ["10.0.0.0/8"] } } }),
      docs: [],
      errors: ["v1alpha1 cluster.etcd.subnet: etcd subnet can't be set when advertised subnets are set"],
    },
    {
      name: "external cloud provider manifests",
      base: merge(CP, {
        cluster: { externalCloudProvider: { enabled: false, manifests: ["https://x/y.yaml"] } },
      }),
      docs: [],
      errors: [
        "v1alpha1 cluster.externalCloudProvider.manifests: external cloud provider is disabled, but manifests are provided",
      ],
    },
    {
      name: "external cloud provider manifest without a host",
      base: merge(CP, {
        cluster: { externalCloudProvider: { enabled: true, manifests: ["/m.yaml", "https://x/y.yaml"] } },
      }),
      docs: [],
      errors: [
        'v1alpha1 cluster.externalCloudProvider.manifests[0]: invalid external cloud provider manifest url "/m.yaml": hostname must not be blank',
      ],
    },
    {
      name: "inline manifest names",
      base: merge(CP, {
        cluster: {
          inlineManifests: [
            { name: " ", contents: "" },
            { name: "a", contents: "" },
            { name: "a", contents: "" },
          ],
        },
      }),
      docs: [],
      errors: [
        "v1alpha1 cluster.inlineManifests[0].name: inline manifest name can't be empty",
        'v1alpha1 cluster.inlineManifests[2].name: inline manifest name "a" is duplicate',
      ],
    },
    {
      name: "a control plane without any CA",
      base: merge(CP, { machine: { ca: null } }),
      docs: [],
      errors: [
        "v1alpha1 machine.ca: issuing CA or some accepted CAs are required (.machine.ca, machine.acceptedCAs)",
        "v1alpha1 machine.ca: issuing CA is required (.machine.ca)",
      ],
    },
    {
      name: "a worker trusting accepted CAs only",
      base: merge(WORKER, { machine: { ca: null, acceptedCAs: [{ crt: "Y3J0" }] } }),
      docs: [],
    },
  ]);
});
