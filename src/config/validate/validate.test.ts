import { beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority } from "../../pki/index.js";
import { encodeYaml } from "../../yaml/index.js";
import { type ConfigError, formatPath } from "../document.js";
import { loadMachineConfig } from "../load/index.js";
import {
  parseValidationMode,
  VALIDATION_MODES,
  type ValidationMode,
  validateMachineConfig,
} from "./index.js";

// biome-ignore lint/suspicious/noExplicitAny: documents are built as plain JSON
type Json = Record<string, any>;

/** Merges `patch` into a copy of `base`; a null in the patch removes the key. */
function merge(base: Json, patch: Json): Json {
  const out: Json = structuredClone(base);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else if (
      typeof value === "object" &&
      !Array.isArray(value) &&
      typeof out[key] === "object" &&
      out[key] !== null
    ) {
      out[key] = merge(out[key], value);
    } else out[key] = value;
  }
  return out;
}

const CP: Json = {
  version: "v1alpha1",
  debug: false,
  persist: true,
  machine: { type: "controlplane", token: "t", ca: { crt: "Y3J0", key: "a2V5" }, certSANs: [] },
  cluster: { token: "b", etcd: { ca: { crt: "Y3J0", key: "a2V5" } } },
};
const WORKER: Json = {
  version: "v1alpha1",
  debug: false,
  persist: true,
  machine: { type: "worker", token: "t", ca: { crt: "Y3J0", key: "" }, certSANs: [] },
  cluster: { token: "b" },
};
const doc = (kind: string, body: Json = {}): Json => ({ apiVersion: "v1alpha1", kind, ...body });
const RESOLVER = doc("ResolverConfig", { hostDNS: { enabled: true, forwardKubeDNSToHost: true } });

const describeError = (e: ConfigError) =>
  `${e.location.document} ${formatPath(e.location.path ?? [])}: ${e.detail}`;

function check(docs: Json[], mode: ValidationMode = "metal", strict = false) {
  const text = docs.map((d) => encodeYaml(d)).join("---\n");
  const cfg = loadMachineConfig(text, { file: "c.yaml" });
  const r = validateMachineConfig(cfg, { mode, strict });
  for (const e of [...r.errors, ...r.warnings]) {
    // Every problem names its file, document and line.
    expect(e.location.file).toBe("c.yaml");
    expect(e.location.position, e.message).toBeDefined();
  }
  return { errors: r.errors.map(describeError), warnings: r.warnings.map(describeError) };
}

const errorsOf = (docs: Json[], mode: ValidationMode = "metal") => check(docs, mode).errors;

describe("validateMachineConfig: valid configs and modes", () => {
  it("accepts minimal control plane and worker configs in every mode (strict)", () => {
    for (const mode of VALIDATION_MODES) {
      expect(check([CP, RESOLVER], mode, true)).toEqual({ errors: [], warnings: [] });
      expect(check([WORKER, RESOLVER], mode, true)).toEqual({ errors: [], warnings: [] });
    }
  });

  it("parses modes and names the valid ones on a mistake", () => {
    expect(parseValidationMode("metal-agent")).toBe("metal-agent");
    expect(() => parseValidationMode("baremetal")).toThrow(
      'unknown runtime mode: "baremetal" (valid modes: cloud, container, metal, metal-agent)',
    );
  });

  it("names file, document, path and line in every message", () => {
    const text =
      "version: v1alpha1\nmachine:\n    type: robot\n    token: t\n    ca: {crt: a, key: b}\ncluster: {}\n";
    const r = validateMachineConfig(loadMachineConfig(text, { file: "cp.yaml" }), { mode: "cloud" });
    expect(r.errors.map((e) => e.message)).toEqual([
      'cp.yaml: document v1alpha1: machine.type (line 3:5): unknown machine type "robot"',
    ]);
  });
});

describe("validateMachineConfig: v1alpha1 rules", () => {
  it("requires machine and cluster, and persist", () => {
    expect(errorsOf([{ version: "v1alpha1", debug: true }])).toEqual([
      "v1alpha1 machine: machine instructions are required",
    ]);
    expect(errorsOf([merge(CP, { cluster: null, persist: false })])).toEqual([
      "v1alpha1 persist: .persist should be enabled",
      "v1alpha1 cluster: cluster instructions are required",
    ]);
  });

  it("warns about old machine type spellings, and strict turns them into errors", () => {
    const join = merge(WORKER, { machine: { type: "join" } });
    expect(check([join])).toEqual({
      errors: [],
      warnings: ['v1alpha1 machine.type: use "worker" instead of "join" for machine type'],
    });
    expect(check([join], "metal", true)).toEqual({
      errors: ['v1alpha1 machine.type: warning: use "worker" instead of "join" for machine type'],
      warnings: [],
    });
    expect(check([merge(WORKER, { machine: { type: "" } })]).warnings).toEqual([
      'v1alpha1 machine.type: use "worker" instead of "" for machine type',
    ]);
  });

  it("warns about deprecated machine fields", () => {
    const cfg = merge(CP, {
      machine: {
        files: [{ content: "x", permissions: 0o644, path: "/var/f", op: "create" }],
        baseRuntimeSpecOverrides: { process: { rlimits: [] } },
      },
    });
    expect(check([cfg]).warnings).toEqual([
      "v1alpha1 machine.files: .machine.files is deprecated; use dedicated configuration documents instead",
      "v1alpha1 machine.baseRuntimeSpecOverrides: .machine.baseRuntimeSpecOverrides is deprecated; use a CRIBaseRuntimeSpecConfig document instead",
    ]);
  });

  it("checks the CAs of control plane and worker machines", () => {
    expect(errorsOf([merge(CP, { machine: { ca: null } })])).toEqual([
      "v1alpha1 machine.ca: issuing CA or some accepted CAs are required (.machine.ca, machine.acceptedCAs)",
      "v1alpha1 machine.ca: issuing CA is required (.machine.ca)",
    ]);
    expect(errorsOf([merge(CP, { machine: { ca: { key: "" } } })])).toEqual([
      "v1alpha1 machine.ca.key: issuing CA key is required for controlplane nodes (.machine.ca.key)",
    ]);
    expect(
      errorsOf([
        merge(WORKER, { machine: { ca: { crt: "", key: "a2V5" } }, cluster: { ca: { crt: "a", key: "b" } } }),
      ]),
    ).toEqual([
      "v1alpha1 machine.ca.key: issuing Talos API CA key is not allowed on non-controlplane nodes (.machine.ca)",
      "v1alpha1 machine.ca: trusted CA certificates are required on non-controlplane nodes (.machine.ca.crt, .machine.acceptedCAs)",
      "v1alpha1 cluster.ca.key: cluster CA key is not allowed on non-controlplane nodes (.cluster.ca)",
      "v1alpha1 cluster.ca.key: issuing Kubernetes API CA key is not allowed on non-controlplane nodes (.cluster.ca)",
    ]);
    expect(
      errorsOf([merge(WORKER, { machine: { ca: { crt: "" }, acceptedCAs: [{ crt: "Y3J0" }] } })]),
    ).toEqual([]);
  });

  it("checks the control plane endpoint and the DNS domain", () => {
    const endpoint = (e: string | undefined) =>
      errorsOf([merge(CP, { cluster: { controlPlane: e === undefined ? {} : { endpoint: e } } })]);
    expect(endpoint(undefined)).toEqual([
      "v1alpha1 cluster.controlPlane.endpoint: cluster controlplane endpoint is required",
    ]);
    expect(endpoint("https://10.0.0.1:6443")).toEqual([]);
    expect(endpoint("https://10.0.0.1")).toEqual([]);
    expect(endpoint("https://10.0.0.1:70000")).toEqual([
      "v1alpha1 cluster.controlPlane.endpoint: invalid controlplane endpoint: port number must be between 1 and 65535",
    ]);
    expect(endpoint("https://10.0.0.1:http")).toEqual([
      "v1alpha1 cluster.controlPlane.endpoint: invalid controlplane endpoint: port number must be numeric",
    ]);
    expect(endpoint("https://fd00::1:6443")).toEqual([
      "v1alpha1 cluster.controlPlane.endpoint: invalid controlplane endpoint: IPv6 addresses MUST be enclosed by square brackets",
    ]);
    expect(endpoint("https://:6443")).toEqual([
      "v1alpha1 cluster.controlPlane.endpoint: invalid controlplane endpoint: hostname must not be blank",
    ]);
    const net = {
      network: {
        dnsDomain: "cluster..local",
        podSubnets: ["10.244.0.0/16"],
        serviceSubnets: ["10.96.0.0/12"],
      },
    };
    expect(errorsOf([merge(CP, { cluster: net })])).toEqual([
      'v1alpha1 cluster.network.dnsDomain: "cluster..local" is not a valid DNS name',
    ]);
  });

  it("checks etcd settings", () => {
    expect(errorsOf([merge(WORKER, { cluster: { etcd: { image: "x" } } })])).toEqual([
      "v1alpha1 cluster.etcd: etcd config is only allowed on control plane machines",
    ]);
    expect(
      errorsOf([
        merge(CP, {
          cluster: {
            etcd: {
              subnet: "10.0.0.0/8",
              advertisedSubnets: ["10.0.0.0/8", "bad"],
              listenSubnets: ["!192.168.0.0/16", "x"],
            },
          },
        }),
      ]),
    ).toEqual([
      "v1alpha1 cluster.etcd.subnet: etcd subnet can't be set when advertised subnets are set",
      'v1alpha1 cluster.etcd.advertisedSubnets[1]: etcd advertised subnet is not valid: "bad"',
      'v1alpha1 cluster.etcd.listenSubnets[1]: etcd listen subnet is not valid: "x"',
    ]);
  });

  it("checks external cloud provider, inline manifests and legacy discovery", () => {
    expect(
      errorsOf([
        merge(CP, {
          cluster: {
            externalCloudProvider: { enabled: false, manifests: ["https://x/a.yaml", "not a url"] },
            inlineManifests: [
              { name: "", contents: "a" },
              { name: "cni", contents: "b" },
              { name: "cni", contents: "c" },
            ],
            discovery: { enabled: true, registries: { service: { endpoint: "https://d.example.com/path" } } },
          },
        }),
      ]),
    ).toEqual([
      "v1alpha1 cluster.externalCloudProvider.manifests: external cloud provider is disabled, but manifests are provided",
      'v1alpha1 cluster.externalCloudProvider.manifests[1]: invalid external cloud provider manifest url "not a url": not an absolute URL',
      "v1alpha1 cluster.inlineManifests[0].name: inline manifest name can't be empty",
      'v1alpha1 cluster.inlineManifests[2].name: inline manifest name "cni" is duplicate',
      "v1alpha1 cluster.discovery.registries.service.endpoint: cluster discovery service path should be empty",
      "v1alpha1 cluster.id: cluster discovery service requires .cluster.id",
      "v1alpha1 cluster.secret: cluster discovery service requires .cluster.secret",
    ]);
  });

  it("checks API server authorization args and pod resources", () => {
    const cfg = merge(CP, {
      cluster: {
        apiServer: {
          extraArgs: { "authorization-mode": "RBAC", "authorization-webhook-version": "v1" },
          authorizationConfig: [{ type: "Webhook", name: "w" }],
          resources: { requests: { cpu: "1", gpu: "1" } },
        },
      },
    });
    expect(errorsOf([cfg])).toEqual([
      "v1alpha1 cluster.apiServer.extraArgs.authorization-mode: authorization-mode cannot be used in conjunction with AuthorizationConfig, use AuthorizationConfig instead",
      "v1alpha1 cluster.apiServer.extraArgs.authorization-webhook-version: authorization-webhook-version cannot be used in conjunction with AuthorizationConfig, use AuthorizationConfig instead",
      'v1alpha1 cluster.apiServer.resources.requests.gpu: apiserver: unsupported pod resource "gpu"',
    ]);
  });

  it("checks .machine.install only in metal mode, and only when present", () => {
    const cfg = merge(CP, {
      machine: { install: { image: "i", wipe: false, extraKernelArgs: ["a"], grubUseUKICmdline: true } },
    });
    expect(errorsOf([cfg], "metal")).toEqual([
      "v1alpha1 machine.install: either install disk or diskSelector should be defined",
      "v1alpha1 machine.install.extraKernelArgs: install.extraKernelArgs and install.grubUseUKICmdline can't be used together",
    ]);
    expect(errorsOf([cfg], "cloud")).toEqual([
      "v1alpha1 machine.install.extraKernelArgs: install.extraKernelArgs and install.grubUseUKICmdline can't be used together",
    ]);
    expect(errorsOf([merge(CP, { machine: { install: { diskSelector: { size: ">= one TB" } } } })])).toEqual([
      'v1alpha1 machine.install.diskSelector.size: install disk selector is invalid: cannot parse size ">= one TB"',
    ]);
    const ext = check([
      merge(CP, { machine: { install: { disk: "/dev/sda", extensions: [{ image: "a" }, { image: "a" }] } } }),
    ]);
    expect(ext.errors).toEqual([
      'v1alpha1 machine.install.extensions[1].image: duplicate system extension "a"',
    ]);
    expect(ext.warnings).toEqual([
      "v1alpha1 machine.install.extensions: .machine.install.extensions is deprecated, please see the documentation",
    ]);
  });

  it("checks features", () => {
    expect(
      errorsOf([
        merge(WORKER, {
          machine: {
            features: {
              hostDNS: { forwardKubeDNSToHost: true },
              kubernetesTalosAPIAccess: { enabled: true, allowedRoles: ["os:reader", "os:god"] },
              nodeAddressSortAlgorithm: "v3",
            },
          },
        }),
      ]),
    ).toEqual([
      "v1alpha1 machine.features.hostDNS.forwardKubeDNSToHost: feature hostDNS.forwardKubeDNSToHost requires hostDNS.enabled to be true (.machine.features.hostDNS)",
      "v1alpha1 machine.features.kubernetesTalosAPIAccess: feature kubernetesTalosAPIAccess is only supported on control plane machines",
      'v1alpha1 machine.features.kubernetesTalosAPIAccess.allowedRoles[1]: invalid role "os:god" in allowed roles',
      'v1alpha1 machine.features.nodeAddressSortAlgorithm: unknown node address sort algorithm "v3" (use v1 or v2)',
    ]);
  });

  it("checks the CNI on control plane machines", () => {
    const cni = (c: Json) =>
      check([
        merge(CP, {
          cluster: { network: { dnsDomain: "cluster.local", podSubnets: [], serviceSubnets: [], cni: c } },
        }),
      ]);
    expect(cni({ name: "calico" }).errors).toEqual([
      'v1alpha1 cluster.network.cni.name: cni name should be one of ["flannel", "custom", "none"]',
    ]);
    expect(cni({ name: "flannel", urls: ["https://x/y.yaml"] }).errors).toEqual([
      'v1alpha1 cluster.network.cni.urls: "urls" field should be empty for "flannel" CNI',
    ]);
    expect(cni({ name: "custom" })).toEqual({
      errors: [],
      warnings: ['v1alpha1 cluster.network.cni.urls: "urls" field should not be empty for "custom" CNI'],
    });
    expect(cni({ name: "none", flannel: { extraArgs: ["--x"] } }).errors).toEqual([
      'v1alpha1 cluster.network.cni.flannel.extraArgs: flanneld extra args are only supported for the "flannel" CNI',
    ]);
  });

  it("checks legacy network interfaces", () => {
    const cfg = merge(WORKER, {
      machine: {
        network: {
          interfaces: [
            { interface: "eth0", deviceSelector: { driver: "virtio" }, vip: { ip: "10.0.0.100" } },
            {
              addresses: ["10.0.0.1/33"],
              cidr: "10.0.0.2/24",
              routes: [{ network: "10.1.0.0", gateway: "x" }],
            },
            {
              interface: "bond0",
              bond: { interfaces: ["eth1"], mode: "fast" },
              bridge: { interfaces: ["eth1"] },
            },
            {
              interface: "wg0",
              wireguard: {
                privateKey: "short",
                peers: [
                  {
                    publicKey: Buffer.alloc(32).toString("base64"),
                    endpoint: "1.2.3.4",
                    allowedIPs: ["10.0.0.0/8", "nope"],
                  },
                ],
              },
              vlans: [{ vlanId: 5, addresses: ["bad"], routes: [] }],
            },
          ],
          kubespan: { enabled: true, mtu: 1000, filters: { endpoints: ["0.0.0.0/0", "!x"] } },
        },
      },
    });
    expect(check([cfg])).toEqual({
      errors: [
        "v1alpha1 machine.network.interfaces[0]: [networking.os.device.interface], [networking.os.device.deviceSelector]: config sections are mutually exclusive",
        "v1alpha1 machine.network.interfaces[0].vip: virtual (shared) IP is not allowed on non-controlplane nodes",
        "v1alpha1 machine.network.interfaces[1]: [networking.os.device.interface], [networking.os.device.deviceSelector]: required either config section to be set",
        'v1alpha1 machine.network.interfaces[1].cidr: "cidr" and "addresses" are mutually exclusive',
        'v1alpha1 machine.network.interfaces[1].addresses[0]: invalid address "10.0.0.1/33"',
        'v1alpha1 machine.network.interfaces[1].routes[0].network: invalid route network "10.1.0.0"',
        'v1alpha1 machine.network.interfaces[1].routes[0].gateway: invalid route gateway "x"',
        "v1alpha1 machine.network.interfaces[2]: [networking.os.device]: bond and bridge config sections are mutually exclusive",
        'v1alpha1 machine.network.interfaces[2].bond.mode: invalid bond mode "fast"',
        'v1alpha1 machine.network.interfaces[2].bridge.interfaces: interface "eth1" is already part of bond bond0',
        'v1alpha1 machine.network.interfaces[3].vlans[0].addresses[0]: invalid address "bad"',
        "v1alpha1 machine.network.interfaces[3].wireguard.privateKey: wireguard private key is not a base64 encoded 32-byte key",
        'v1alpha1 machine.network.interfaces[3].wireguard.peers[0].endpoint: wireguard peer endpoint "1.2.3.4" needs a host and a port',
        'v1alpha1 machine.network.interfaces[3].wireguard.peers[0].allowedIPs[1]: invalid wireguard allowed IP "nope"',
        "v1alpha1 machine.network.kubespan.mtu: kubespan link MTU must be at least 1280",
        'v1alpha1 machine.network.kubespan.filters.endpoints[1]: KubeSpan endpoint filter is not valid: "!x"',
        "v1alpha1 machine.network.kubespan.enabled: KubeSpan requires cluster discovery to be enabled",
      ],
      warnings: [
        'v1alpha1 machine.network.interfaces[1].cidr: "cidr" is deprecated, please use "addresses" instead',
      ],
    });
  });

  it("checks disks, kubelet, disk encryption, logging, node metadata and registries", () => {
    const cfg = merge(CP, {
      machine: {
        disks: [
          {
            device: "/dev/sdb",
            partitions: [{ mountpoint: "/var/a" }, { size: "10GB", mountpoint: "/var/b" }],
          },
          null,
        ],
        kubelet: {
          nodeIP: { validSubnets: ["10.0.0.0/8", "nope"] },
          extraConfig: { authentication: {}, maxPods: 200 },
        },
        systemDiskEncryption: {
          state: { provider: "luks2", keys: [] },
          ephemeral: { provider: "luks2", keys: [{ slot: 0, nodeID: {} }, { slot: 0 }] },
        },
        logging: {
          destinations: [
            { endpoint: "udp://127.0.0.1:12345/", format: "json_lines" },
            { endpoint: "http://127.0.0.1:1/", format: "text" },
          ],
        },
        nodeLabels: { "example.com/ok": "yes", "bad key!": "x" },
        nodeTaints: { "example.com/t": "v:NoRun" },
        registries: { mirrors: { "docker.io": null } },
      },
    });
    expect(errorsOf([cfg])).toEqual([
      "v1alpha1 machine.disks[0].partitions[0].size: partition for device with zero size is not the last one",
      "v1alpha1 machine.disks[1]: machine.disks[1] is null",
      'v1alpha1 machine.kubelet.nodeIP.validSubnets[1]: kubelet nodeIP subnet is not valid: "nope"',
      'v1alpha1 machine.kubelet.extraConfig.authentication: kubelet configuration field "authentication" can\'t be overridden',
      "v1alpha1 machine.systemDiskEncryption.state.keys: no encryption keys provided for the STATE partition",
      "v1alpha1 machine.systemDiskEncryption.ephemeral.keys[1].slot: duplicate key slot 0",
      "v1alpha1 machine.systemDiskEncryption.ephemeral.keys[1]: encryption key has no type: set one of static, nodeID, kms or tpm",
      'v1alpha1 machine.logging.destinations[1].endpoint: unknown logging endpoint scheme "http" (use tcp or udp)',
      'v1alpha1 machine.logging.destinations[1].format: unknown logging format "text" (use json_lines)',
      'v1alpha1 machine.nodeLabels.bad key!: invalid machine node labels: invalid key "bad key!"',
      'v1alpha1 machine.nodeTaints.example.com/t: invalid machine node taints: invalid taint effect "NoRun"',
      'v1alpha1 machine.registries.mirrors.docker.io: registries.mirrors["docker.io"] is null',
    ]);
  });
});

describe("validateMachineConfig: the whole config", () => {
  it("rejects documents that repeat a v1alpha1 setting", () => {
    const legacy = merge(CP, {
      machine: { install: { disk: "/dev/sda" }, kubelet: { image: "k" }, network: { hostname: "h" } },
      cluster: { clusterName: "c", id: "i", secret: "s", discovery: { enabled: true } },
    });
    const docs = [
      legacy,
      doc("KubeClusterConfig", { clusterName: "c", endpoint: "https://a:6443" }),
      doc("UnattendedInstallConfig", {
        installer: { image: "i" },
        provisioning: { diskSelector: { match: "true" } },
      }),
      doc("HostnameConfig", { auto: "stable" }),
      doc("KubeletConfig", { image: "k" }),
      doc("DiscoveryIdentityConfig", { clusterID: "i", clusterSecret: Buffer.alloc(32).toString("base64") }),
      doc("DiscoveryServiceConfig", { name: "default", endpoint: "https://discovery.talos.dev/" }),
    ];
    expect(errorsOf(docs)).toEqual([
      "KubeClusterConfig clusterName: cluster name is already set in the v1alpha1 config (.cluster.clusterName). Remove it from v1alpha1 to use KubeClusterConfig",
      "UnattendedInstallConfig : UnattendedInstallConfig config is incompatible with v1alpha1 config (.machine.install)",
      "HostnameConfig : static hostname is already set in v1alpha1 config",
      "KubeletConfig : kubelet config is already set in v1alpha1 config (.machine.kubelet)",
      "DiscoveryIdentityConfig : cluster identity is already configured in .cluster.id/.cluster.secret of the v1alpha1 config",
      "DiscoveryServiceConfig/default : discovery service is already configured in .cluster.discovery of the v1alpha1 config",
    ]);
  });

  it("requires host DNS forwarding in container mode", () => {
    expect(errorsOf([CP], "container")).toEqual(["v1alpha1 : hostDNS config is required in container mode"]);
    expect(errorsOf([CP, doc("ResolverConfig", { hostDNS: { enabled: false } })], "container")).toEqual([
      "ResolverConfig hostDNS.enabled: hostDNS must be enabled in container mode",
    ]);
    // Configs generated for contract 1.7 enable host DNS without forwarding.
    const v17 = merge(CP, { machine: { features: { hostDNS: { enabled: true } } } });
    expect(errorsOf([v17], "container")).toEqual([
      "v1alpha1 machine.features.hostDNS.forwardKubeDNSToHost: forwardKubeDNSToHost must be enabled in container mode",
    ]);
    expect(errorsOf([v17], "cloud")).toEqual([]);
  });

  it("requires host DNS for encrypted DNS, identity for discovery, discovery for KubeSpan", () => {
    const docs = [
      CP,
      doc("ResolverConfig", {
        nameservers: [{ address: "1.1.1.1", protocol: "DoT", tlsServerName: "one.one.one.one" }],
      }),
      doc("DiscoveryServiceConfig", { name: "default", endpoint: "https://discovery.talos.dev/" }),
    ];
    expect(errorsOf(docs)).toEqual([
      "ResolverConfig nameservers[0].protocol: hostDNS must be enabled when using non-default DNS protocols",
      "DiscoveryServiceConfig/default : cluster ID (.cluster.id or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
      "DiscoveryServiceConfig/default : cluster secret (.cluster.secret or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
    ]);
    expect(errorsOf([CP, doc("KubeSpanConfig", { enabled: true })])).toEqual([
      "KubeSpanConfig enabled: KubeSpan requires cluster discovery to be enabled",
    ]);
  });

  it("checks container dependencies", () => {
    const c = (name: string, deps: string[]) =>
      doc("ContainerConfig", { name, image: "i", dependsOn: { containers: deps } });
    expect(errorsOf([CP, c("a", ["b"]), c("b", ["a"]), c("c", ["ghost"])])).toEqual([
      'ContainerConfig/c dependsOn.containers[0]: container "c" depends on unknown container "ghost"',
      "ContainerConfig/a dependsOn.containers: container dependency cycle: a -> b -> a",
    ]);
  });

  it("keeps control plane kinds on control plane machines and wants etcd encryption with the API server CA", () => {
    const docs = [
      WORKER,
      doc("KubeSchedulerConfig", { image: "s" }),
      doc("KubeAPIServerConfig", { image: "a" }),
      doc("KubeProxyConfig", { image: "p" }),
      doc("KubeAPIServerConfig", { image: "b" }),
    ];
    expect(() => errorsOf(docs)).toThrow("duplicate document");
    expect(errorsOf(docs.slice(0, 4))).toEqual([
      "KubeSchedulerConfig : the following document kinds are only allowed on control plane machines: [KubeAPIServerConfig KubeProxyConfig KubeSchedulerConfig]",
    ]);
    expect(errorsOf([CP, doc("KubeAPIServerCAConfig", {})])).toEqual([
      "KubeAPIServerCAConfig : etcd encryption config is required for control plane machines running kube-apiserver",
    ]);
  });

  it("wants the v1alpha1 document", () => {
    expect(errorsOf([RESOLVER])).toEqual([
      "ResolverConfig : the v1alpha1 document (machine and cluster instructions) is missing",
    ]);
  });
});

describe("validateMachineConfig: documents gen config emits", () => {
  let ca: { cert: string; key: string };
  beforeAll(async () => {
    const authority = await createCertificateAuthority({
      organization: "kubernetes",
      keyKind: "ecdsa",
      now: new Date(),
    });
    ca = { cert: authority.crt, key: authority.key };
  });

  it("checks discovery documents", () => {
    const docs = [
      CP,
      doc("DiscoveryServiceConfig", { name: "default", endpoint: "ftp://d.example.com/" }),
      doc("DiscoveryServiceConfig", { name: "other", endpoint: "https://" }),
      doc("DiscoveryIdentityConfig", { clusterID: "", clusterSecret: "c2hvcnQ=" }),
    ];
    expect(errorsOf(docs)).toEqual([
      'DiscoveryServiceConfig/default endpoint: endpoint scheme "ftp" is not supported (use http, https or grpc)',
      "DiscoveryServiceConfig/other endpoint: endpoint host is required",
      "DiscoveryIdentityConfig clusterID: clusterID is required",
      "DiscoveryIdentityConfig clusterSecret: invalid clusterSecret: decodes to 5 bytes, expected 32",
      "DiscoveryServiceConfig/default : cluster ID (.cluster.id or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
    ]);
  });

  it("checks UnattendedInstallConfig: match required, missing image only a warning even when strict", () => {
    const r = check([CP, doc("UnattendedInstallConfig", { provisioning: { wipe: false } })], "metal", true);
    expect(r).toEqual({
      errors: [
        "UnattendedInstallConfig provisioning.diskSelector.match: provisioning.diskSelector.match is required",
      ],
      warnings: [
        "UnattendedInstallConfig installer.image: installer.image is not set: the installer image of the running Talos version is used",
      ],
    });
  });

  it("checks ResolverConfig, HostnameConfig and FilesystemTrimConfig", () => {
    const docs = [
      CP,
      doc("ResolverConfig", {
        nameservers: [
          { address: "1.1.1.1", protocol: "DoH" },
          { address: "8.8.8.8", tlsServerName: "dns.google" },
        ],
        hostDNS: { enabled: false, resolveMemberNames: true },
      }),
      doc("HostnameConfig", { auto: "stable", hostname: "-bad-" }),
      doc("FilesystemTrimConfig", { interval: "-1h" }),
    ];
    expect(errorsOf(docs)).toEqual([
      "ResolverConfig hostDNS.resolveMemberNames: hostDNS.resolveMemberNames requires hostDNS.enabled to be true",
      "ResolverConfig nameservers[0].tlsServerName: tlsServerName is required for the DoH protocol",
      "ResolverConfig nameservers[1].tlsServerName: tlsServerName can't be used with the Do53 protocol",
      "HostnameConfig : exactly one of auto or hostname must be set",
      'HostnameConfig hostname: invalid hostname "-bad-"',
      "FilesystemTrimConfig interval: interval cannot be negative",
      "ResolverConfig nameservers[0].protocol: hostDNS must be enabled when using non-default DNS protocols",
    ]);
  });

  it("checks KubeClusterConfig and KubeNetworkConfig", () => {
    const docs = [
      CP,
      doc("KubeClusterConfig", { endpoint: "https://a:99999" }),
      doc("KubeNetworkConfig", {
        dnsDomain: "cluster.local",
        podSubnets: ["10.244.0.1/16", "10.245.0.0/16", "fd00::/72"],
        serviceSubnets: ["10.0.0.0/8"],
        nodeCIDRMaskSizeIPv4: 40,
      }),
    ];
    expect(errorsOf(docs)).toEqual([
      "KubeClusterConfig clusterName: clusterName must be specified",
      "KubeClusterConfig endpoint: cluster endpoint is invalid: port number must be between 1 and 65535",
      "KubeNetworkConfig podSubnets: podSubnets must list one or two subnets (one IPv4, one IPv6)",
      'KubeNetworkConfig podSubnets[0]: subnet "10.244.0.1/16" has host bits set',
      "KubeNetworkConfig podSubnets[1]: podSubnets may hold at most one IPv4 subnet",
      'KubeNetworkConfig podSubnets[2]: pod subnet "fd00::/72" is smaller than the per-node pod CIDR mask /64',
      'KubeNetworkConfig serviceSubnets[0]: service subnet "10.0.0.0/8" is too large (at most 20 host bits)',
      "KubeNetworkConfig serviceSubnets: podSubnets and serviceSubnets must list the same number of subnets",
      "KubeNetworkConfig nodeCIDRMaskSizeIPv4: 40 is above the maximum 32",
    ]);
  });

  it("checks the Kubernetes component documents", async () => {
    const docs = [
      CP,
      doc("KubeletConfig", { image: "", config: { cgroupDriver: "systemd" } }),
      doc("KubeAPIServerConfig", { image: "", extraArgs: { "etcd-servers": "https://x" } }),
      doc("KubeServiceAccountConfig", { issuer: { privateKey: "not a key", issuerURL: "https://a:6443" } }),
      doc("KubeAPIServerCAConfig", {
        issuingCA: { cert: "junk", key: ca.key },
        acceptedCAs: [ca.cert, "junk"],
      }),
      doc("KubeAggregatorCAConfig", { issuingCA: ca }),
      doc("KubeEtcdEncryptionConfig", { config: {} }),
      doc("KubePrismConfig", { port: 70000 }),
      doc("KubeFlannelCNIConfig", { backendPort: 4789 }),
    ];
    const errors = errorsOf(docs);
    expect(errors.filter((e) => !e.includes("invalid"))).toEqual([
      "KubeletConfig image: kubelet image cannot be empty",
      'KubeletConfig config.cgroupDriver: kubelet configuration field "cgroupDriver" can\'t be overridden',
      "KubeAPIServerConfig image: kube-apiserver image cannot be empty",
      'KubeAPIServerConfig extraArgs.etcd-servers: extra argument "etcd-servers" is managed by Talos and can\'t be set',
      "KubePrismConfig port: port 70000 is out of range (1-65535)",
      "KubeFlannelCNIConfig backendType: backendType is required",
    ]);
    expect(
      errors.filter((e) => e.includes("invalid")).map((e) => e.split(":").slice(0, 2).join(":")),
    ).toEqual([
      "KubeServiceAccountConfig issuer.privateKey: invalid issuer private key",
      "KubeAPIServerCAConfig issuingCA.cert: issuing CA",
      "KubeAPIServerCAConfig acceptedCAs[1]: accepted CA",
    ]);
  });

  it("applies the schema's required fields and ranges to every kind", () => {
    expect(
      errorsOf([CP, doc("BondConfig", { name: "bond0" }), doc("VLANConfig", { name: "v", parent: "eth0" })]),
    ).toEqual([
      "BondConfig/bond0 bondMode: bondMode is required",
      "BondConfig/bond0 links: links is required",
      "VLANConfig/v vlanID: vlanID is required",
    ]);
  });
});
