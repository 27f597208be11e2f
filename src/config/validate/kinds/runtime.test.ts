// Runtime, CRI, container, discovery, security and SideroLink documents: each rule, valid and invalid.
import { describe } from "vitest";
import { CP, doc, table, WORKER } from "../testkit.js";

const base = WORKER;
const DIGEST = `ghcr.io/a/b@sha256:${"a".repeat(64)}`;
const SECRET = Buffer.alloc(32, 7).toString("base64");

describe("ContainerConfig", () => {
  const container = (body: object) => doc("ContainerConfig", { name: "c", image: DIGEST, ...body });
  table([
    {
      name: "valid, with list-valued mount options and network conditions",
      docs: [
        container({
          mounts: [{ userVolume: { name: "data", destination: "/data", options: ["ro", "noexec"] } }],
          dependsOn: { networks: ["addresses", "hostname"] },
        }),
      ],
      base,
    },
    {
      name: "an image not pinned by digest warns",
      docs: [container({ image: "ghcr.io/a/b:v1" })],
      base,
      warnings: [
        'ContainerConfig/c image: container "c": image "ghcr.io/a/b:v1" is not digest-pinned, the running image may change on restart',
      ],
    },
    {
      name: "runAs, tmpfs options, capabilities",
      docs: [
        container({
          runAs: { uid: -1 },
          mounts: [{ tmpfs: { destination: "/tmp", options: ["sync"] } }],
          security: { capabilities: { add: ["CAP_NET_ADMIN", "ALL"], drop: ["net_raw"] } },
        }),
      ],
      base,
      errors: [
        'ContainerConfig/c mounts[0].tmpfs: mounts[0]: unsupported mount option "sync"',
        'ContainerConfig/c security.capabilities.add[0]: capabilities.add: capability "CAP_NET_ADMIN" must be given without the CAP_ prefix',
        "ContainerConfig/c security.capabilities.add[1]: capabilities.add does not accept ALL, use profile: privileged instead",
        'ContainerConfig/c security.capabilities.drop[0]: capabilities.drop: capability "net_raw" must be upper case',
        "ContainerConfig/c runAs.uid: runAs.uid must be non-negative, got -1",
      ],
    },
    {
      name: "names, environment, mounts, resources, network",
      docs: [
        doc("ContainerConfig", {
          name: "Bad",
          environment: ["NOEQUALS"],
          mounts: [{}, { hostPath: { source: "rel", destination: "/x" } }],
          resources: { limits: { cpu: "2", memory: "lots" } },
          network: { mode: "bridge" },
        }),
      ],
      base,
      errors: [
        'ContainerConfig/Bad name: name "Bad": name can only contain lowercase ASCII letters, digits and hyphens',
        "ContainerConfig/Bad image: image is required",
        'ContainerConfig/Bad environment[0]: environment[0]: "NOEQUALS" must be in KEY=value form',
        "ContainerConfig/Bad mounts[0]: mounts[0]: exactly one of userVolume, tmpfs or hostPath must be set",
        'ContainerConfig/Bad mounts[1].hostPath: mounts[1]: hostPath.source "rel" must be an absolute path',
        'ContainerConfig/Bad network.mode: unsupported network mode "bridge", expected none or host',
        'ContainerConfig/Bad resources.limits.memory: limits.memory "lots" is not a valid size: strconv.ParseFloat: parsing "": invalid syntax',
        'ContainerConfig/Bad resources.limits.cpu: limits.cpu "2" must be expressed in millicores, e.g. 1500m',
      ],
    },
    {
      name: "dependencies must exist and not loop",
      docs: [
        doc("ContainerConfig", { name: "a", image: DIGEST, dependsOn: { containers: ["b", "zz"] } }),
        doc("ContainerConfig", { name: "b", image: DIGEST, dependsOn: { containers: ["a"] } }),
      ],
      base,
      errors: [
        'ContainerConfig/a dependsOn.containers[1]: container "a" depends on container "zz", which is not configured',
        "ContainerConfig/a dependsOn.containers: container dependsOn cycle detected: a -> b -> a",
      ],
    },
  ]);
});

describe("EtcFileConfig, EnvironmentConfig, sysctl, sysfs, kernel modules, watchdog, event sink, kmsg, OOM", () => {
  table([
    {
      name: "a user etc file",
      docs: [doc("EtcFileConfig", { name: "motd", contents: "hi", mode: 0o644 })],
      base,
    },
    {
      name: "etc files Talos manages or outside /etc",
      docs: [
        doc("EtcFileConfig", { name: "resolv.conf" }),
        doc("EtcFileConfig", { name: "../foo" }),
        doc("EtcFileConfig", { name: "cni/net.conf" }),
      ],
      base,
      errors: [
        'EtcFileConfig/resolv.conf name: user etc file "resolv.conf" is managed by Talos',
        'EtcFileConfig/../foo name: user etc file "../foo" must be a local path',
        'EtcFileConfig/cni/net.conf name: user etc file "cni/net.conf" is managed by Talos',
      ],
    },
    {
      name: "environment names",
      docs: [doc("EnvironmentConfig", { variables: { "1X": "a", OK_1: "b" } })],
      base,
      errors: ['EnvironmentConfig variables.1X: invalid environment variable name: "1X"'],
    },
    {
      name: "watchdog, event sink, kmsg",
      docs: [
        doc("WatchdogTimerConfig", { device: "/dev/watchdog0", timeout: "5s" }),
        doc("EventSinkConfig", { endpoint: "10.0.0.1" }),
        doc("KmsgLogConfig", { name: "k", url: "tcp://10.0.0.1" }),
      ],
      base,
      errors: [
        "WatchdogTimerConfig timeout: watchdog timeout: minimum value is 10s",
        "EventSinkConfig endpoint: event sink endpoint: address 10.0.0.1: missing port in address",
        "KmsgLogConfig/k url: url port is required",
      ],
    },
    {
      name: "OOM sample interval",
      docs: [doc("OOMConfig", { sampleInterval: "-1s" })],
      base,
      errors: ["OOMConfig sampleInterval: OOM sample interval must be longer than 0"],
    },
    {
      name: "kernel module name",
      docs: [doc("KernelModuleConfig", {})],
      base,
      errors: ["KernelModuleConfig name: name is required"],
    },
  ]);
});

describe("UnattendedInstallConfig", () => {
  table([
    {
      name: "valid",
      docs: [
        doc("UnattendedInstallConfig", {
          installer: { image: "ghcr.io/siderolabs/installer:v1.14.0" },
          provisioning: { diskSelector: { match: "system_disk" } },
        }),
      ],
      base,
    },
    {
      name: "match required; a missing image only warns, even when strict",
      docs: [doc("UnattendedInstallConfig", {})],
      base,
      strict: true,
      errors: [
        "UnattendedInstallConfig provisioning.diskSelector.match: provisioning.volumeSelector.match is required",
      ],
      warnings: [
        "UnattendedInstallConfig installer.image: installer.image is not set, if Talos is not booted from asset built by Image Factory, installation will fail",
      ],
    },
    {
      name: "an empty .machine.install counts as set",
      docs: [
        doc("UnattendedInstallConfig", {
          installer: { image: "i" },
          provisioning: { diskSelector: { match: "system_disk" } },
        }),
      ],
      base: { ...WORKER, machine: { ...WORKER.machine, install: {} } },
      mode: "cloud",
      errors: [
        "UnattendedInstallConfig: UnattendedInstallConfig config is incompatible with v1alpha1 config (.machine.install)",
      ],
    },
  ]);
});

describe("CRI and registry documents", () => {
  table([
    {
      name: "registry mirror, auth and TLS",
      docs: [
        doc("RegistryMirrorConfig", { name: "docker.io", endpoints: [{ url: "ftp://m" }] }),
        doc("RegistryAuthConfig", { name: "r", username: "u", identityToken: "t" }),
        doc("RegistryTLSConfig", { name: "r", ca: "junk", clientIdentity: { cert: "x" } }),
      ],
      base,
      errors: [
        'RegistryMirrorConfig/docker.io endpoints[0].url: endpoints[0].url has unsupported scheme: "ftp"',
        "RegistryAuthConfig/r: only one of username/password or identityToken authentication can be specified",
        "RegistryTLSConfig/r ca: ca must be a valid PEM-encoded certificate",
        "RegistryTLSConfig/r clientIdentity: client identity: key is required",
      ],
    },
    {
      name: "CRI customization names",
      docs: [doc("CRICustomizationConfig", { name: "customization", content: "x" })],
      base,
      errors: [
        'CRICustomizationConfig/customization name: name "customization" is reserved for the legacy CRI customization',
      ],
    },
    {
      name: "base runtime spec conflicts and types",
      docs: [
        doc("CRIBaseRuntimeSpecConfig", { overrides: { process: "x" } }),
        doc("ImageCacheConfig", { local: { enabled: true } }),
      ],
      base: { ...WORKER, machine: { ...WORKER.machine, features: { imageCache: {} } } },
      errors: [
        "CRIBaseRuntimeSpecConfig overrides: failed to unmarshal base runtime spec overrides: json: cannot unmarshal string into Go struct field Spec.process of type specs.Process",
        "ImageCacheConfig: image cache config is already set in v1alpha1 config",
      ],
    },
  ]);
});

describe("discovery, image verification, SideroLink", () => {
  table([
    {
      name: "valid discovery documents",
      docs: [
        doc("DiscoveryServiceConfig", { name: "d", endpoint: "https://discovery.example" }),
        doc("DiscoveryIdentityConfig", { clusterID: "id", clusterSecret: SECRET }),
      ],
      base,
    },
    {
      name: "discovery endpoint scheme; identity secret; identity needed",
      docs: [
        doc("DiscoveryServiceConfig", { name: "d", endpoint: "ftp://x" }),
        doc("DiscoveryIdentityConfig", { clusterID: "id", clusterSecret: "abcd" }),
      ],
      base,
      errors: [
        "DiscoveryServiceConfig/d endpoint: endpoint scheme must be http://, https:// or grpc://",
        "DiscoveryIdentityConfig clusterSecret: invalid clusterSecret: expected 32 bytes, got 3: abcd",
      ],
    },
    {
      name: "discovery without an identity",
      docs: [doc("DiscoveryServiceConfig", { name: "d", endpoint: "https://discovery.example" })],
      base,
      errors: [
        "DiscoveryServiceConfig/d: cluster ID (.cluster.id or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
        "DiscoveryServiceConfig/d: cluster secret (.cluster.secret or DiscoveryIdentityConfig) should be set when cluster discovery (DiscoveryServiceConfig) is enabled",
      ],
    },
    {
      name: "identity conflicts with .cluster.id",
      docs: [doc("DiscoveryIdentityConfig", { clusterID: "id", clusterSecret: SECRET })],
      base: { ...CP, cluster: { ...CP.cluster, id: "x" } },
      errors: [
        "DiscoveryIdentityConfig: cluster identity is already configured in .cluster.id/.cluster.secret of the v1alpha1 config",
      ],
    },
    {
      name: "image verification rules",
      docs: [
        doc("ImageVerificationConfig", {
          rules: [{ image: "nginx", skip: true, deny: true }, { image: "ghcr.io/x:v1" }],
        }),
      ],
      base,
      errors: [
        "ImageVerificationConfig rules[0]: rule 0: skip and deny cannot both be true",
        "ImageVerificationConfig rules[1]: rule 1: at least one verifier must be configured",
      ],
      warnings: [
        "ImageVerificationConfig rules[0].image: rule 0: imagePattern does not contain a '/', image references like 'nginx' are matched as 'docker.io/nginx' (normalized)",
        "ImageVerificationConfig rules[1].image: rule 1: imagePattern contains ':' but matching only applies to the image registry and repository, not the tag or digest",
      ],
    },
    {
      name: "SideroLink API URL",
      docs: [doc("SideroLinkConfig", { apiUrl: "http://x" })],
      base,
      errors: ["SideroLinkConfig apiUrl: apiUrl scheme must be https:// or grpc://"],
    },
  ]);
});
