// Runtime, CRI, container, discovery, security and SideroLink documents: each rule, valid and invalid.
import { describe } from "vitest";
import { createCertificateAuthority } from "../../../pki/index.js";
import { CP, doc, merge, table, WORKER } from "../testkit.js";

const base = WORKER;
const DIGEST = `ghcr.io/a/b@sha256:${"a".repeat(64)}`;
const SECRET = Buffer.alloc(32, 7).toString("base64");
const CA = await createCertificateAuthority({ now: new Date("2026-03-01T10:00:00Z") });
/** The documents a discovery service needs besides itself (the whole config's rule). */
const IDENTITY = { clusterID: "id", clusterSecret: SECRET };
/** A worker as Talos 1.13 accepts it in metal mode (endpoint, install). */
const OLD_WORKER = merge(WORKER, {
  cluster: { controlPlane: { endpoint: "https://10.0.0.1:6443" } },
  machine: { install: { disk: "/dev/sda" } },
});

describe("ContainerConfig", () => {
  const container = (body: object) => doc("ContainerConfig", { name: "c", image: DIGEST, ...body });
  table([
    {
      name: "valid, with list-valued mount options and network conditions",
      docs: [
        container({
          environment: ["A=1", "EMPTY="],
          mounts: [
            { userVolume: { name: "data", destination: "/data", options: ["ro", "noexec"] } },
            { tmpfs: { destination: "/tmp", size: "64MiB", options: ["rw", "nosuid"] } },
            { hostPath: { source: "/var/log", destination: "/logs", options: ["rbind", "rshared"] } },
          ],
          security: { profile: "privileged", capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] } },
          network: { mode: "host" },
          resources: { limits: { cpu: "1500m", memory: "512MiB" } },
          dependsOn: {
            paths: ["/var/run/x"],
            networks: ["addresses", "connectivity", "hostname", "etcfiles"],
            time: true,
          },
          runAs: { uid: 0, gid: 1000 },
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
      name: "a tag and a digest together are digest-pinned",
      docs: [container({ image: `docker.io/library/nginx:1.27@sha256:${"b".repeat(64)}` })],
      base,
    },
    {
      name: "runAs, tmpfs options, capabilities",
      docs: [
        container({
          runAs: { uid: -1, gid: -2 },
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
        "ContainerConfig/c runAs.gid: runAs.gid must be non-negative, got -2",
      ],
    },
    {
      name: "capability names: empty, odd characters, in both lists; profiles",
      docs: [
        container({
          security: {
            profile: "baseline",
            capabilities: { add: ["", "NET-ADMIN", "SYS_TIME"], drop: ["SYS_TIME", "9"] },
          },
        }),
      ],
      base,
      errors: [
        'ContainerConfig/c security.profile: unsupported security profile "baseline", expected restricted or privileged',
        "ContainerConfig/c security.capabilities.add[0]: capabilities.add: capability name must not be empty",
        'ContainerConfig/c security.capabilities.add[1]: capabilities.add: capability "NET-ADMIN" may only contain upper case letters and underscores',
        'ContainerConfig/c security.capabilities.drop[1]: capabilities.drop: capability "9" may only contain upper case letters and underscores',
        'ContainerConfig/c security.capabilities: capability "SYS_TIME" appears in both add and drop',
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
      name: "a missing name, and names too long (counted in bytes)",
      docs: [
        doc("ContainerConfig", { image: DIGEST }),
        container({ name: "a".repeat(64) }),
        container({ name: "é".repeat(32) }),
        container({ name: "a".repeat(63) }),
      ],
      base,
      errors: [
        "ContainerConfig name: name is required",
        `ContainerConfig/${"a".repeat(64)} name: name "${"a".repeat(64)}" must be 63 characters or fewer`,
        `ContainerConfig/${"é".repeat(32)} name: name "${"é".repeat(32)}" must be 63 characters or fewer`,
      ],
    },
    {
      name: "an image reference that does not parse",
      docs: [container({ image: "Docker.io/Nginx" })],
      base,
      errors: [
        'ContainerConfig/c image: invalid image reference "Docker.io/Nginx": could not parse reference: Docker.io/Nginx',
      ],
    },
    {
      name: "each mount's errors, then duplicate destinations among the sound ones",
      docs: [
        container({
          mounts: [
            { userVolume: { destination: "data", options: ["ro", "rw"] } },
            { tmpfs: {}, hostPath: { source: "/a", destination: "/b" } },
            { hostPath: { destination: "/x" } },
            { tmpfs: { destination: "/x" } },
            { userVolume: { name: "v", destination: "/x" } },
            { tmpfs: { destination: "/y" } },
          ],
        }),
      ],
      base,
      errors: [
        "ContainerConfig/c mounts[0].userVolume: mounts[0]: userVolume.name is required",
        'ContainerConfig/c mounts[0].userVolume: mounts[0]: userVolume.destination "data" must be an absolute path',
        "ContainerConfig/c mounts[0].userVolume: mounts[0]: mount options ro and rw are mutually exclusive",
        "ContainerConfig/c mounts[1]: mounts[1]: exactly one of userVolume, tmpfs or hostPath must be set",
        "ContainerConfig/c mounts[2].hostPath: mounts[2]: hostPath.source is required",
        'ContainerConfig/c mounts[4].userVolume.destination: mounts[4]: duplicate destination "/x"',
      ],
    },
    {
      name: "resource limits: millicores and sizes",
      docs: [
        container({ name: "a", resources: { limits: { cpu: "0m", memory: "1 GB" } } }),
        container({ name: "b", resources: { limits: { cpu: "1.5m", memory: "4 furlongs" } } }),
        container({ name: "d", resources: { limits: { cpu: "99999999999999999999m", memory: "16EiB" } } }),
        container({ name: "e", resources: { limits: { cpu: "m" } } }),
        container({ name: "f", resources: {} }),
      ],
      base,
      errors: [
        'ContainerConfig/a resources.limits.cpu: limits.cpu "0m" must be greater than zero',
        'ContainerConfig/b resources.limits.memory: limits.memory "4 furlongs" is not a valid size: unhandled size name: furlongs',
        'ContainerConfig/b resources.limits.cpu: limits.cpu "1.5m" is not a valid millicore quantity: strconv.ParseUint: parsing "1.5": invalid syntax',
        'ContainerConfig/d resources.limits.memory: limits.memory "16EiB" is not a valid size: too large: 16EiB',
        'ContainerConfig/d resources.limits.cpu: limits.cpu "99999999999999999999m" is not a valid millicore quantity: strconv.ParseUint: parsing "99999999999999999999": value out of range',
        'ContainerConfig/e resources.limits.cpu: limits.cpu "m" is not a valid millicore quantity: strconv.ParseUint: parsing "": invalid syntax',
      ],
    },
    {
      name: "dependencies: paths, network conditions, container names",
      docs: [
        container({
          dependsOn: { paths: ["", "var/run"], networks: ["addresses", "online"], containers: ["", "c"] },
        }),
      ],
      base,
      errors: [
        "ContainerConfig/c dependsOn.paths[0]: dependsOn.paths entry is required",
        'ContainerConfig/c dependsOn.paths[1]: dependsOn.paths entry "var/run" must be an absolute path',
        'ContainerConfig/c dependsOn.networks: unsupported dependsOn.networks condition "online"',
        "ContainerConfig/c dependsOn.containers[0]: dependsOn.containers entry must not be empty",
        'ContainerConfig/c dependsOn.containers[1]: container "c" cannot depend on itself',
        'ContainerConfig/c dependsOn.containers[0]: container "c" depends on container "", which is not configured',
        "ContainerConfig/c dependsOn.containers: container dependsOn cycle detected: c -> c",
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

describe("EtcFileConfig", () => {
  table([
    {
      name: "user etc files, nested ones and names that only start like managed ones",
      docs: [
        doc("EtcFileConfig", { name: "motd", contents: "hi", mode: 0o644 }),
        doc("EtcFileConfig", { name: "nfs/nfsmount.conf" }),
        doc("EtcFileConfig", { name: "kubernetes2" }),
        doc("EtcFileConfig", { name: "a/../b" }),
      ],
      base,
    },
    {
      name: "etc files Talos manages or outside /etc",
      docs: [
        doc("EtcFileConfig", { name: "resolv.conf" }),
        doc("EtcFileConfig", { name: "../foo" }),
        doc("EtcFileConfig", { name: "cni/net.conf" }),
        doc("EtcFileConfig", { name: "cni" }),
        doc("EtcFileConfig", { name: ".hidden" }),
        doc("EtcFileConfig", { name: "/etc/motd" }),
        doc("EtcFileConfig", { name: "a/../../b" }),
      ],
      base,
      errors: [
        'EtcFileConfig/resolv.conf name: user etc file "resolv.conf" is managed by Talos',
        'EtcFileConfig/../foo name: user etc file "../foo" must be a local path',
        'EtcFileConfig/cni/net.conf name: user etc file "cni/net.conf" is managed by Talos',
        'EtcFileConfig/cni name: user etc file "cni" is managed by Talos',
        'EtcFileConfig/.hidden name: user etc file ".hidden" must be a local path',
        'EtcFileConfig//etc/motd name: user etc file "/etc/motd" must be a local path',
        'EtcFileConfig/a/../../b name: user etc file "a/../../b" must be a local path',
      ],
    },
    {
      name: "a name is required",
      docs: [doc("EtcFileConfig", { contents: "x" })],
      base,
      errors: ["EtcFileConfig name: user etc file name cannot be empty"],
    },
  ]);
});

describe("EnvironmentConfig, sysctl, sysfs, kernel modules, watchdog, event sink, kmsg, OOM", () => {
  table([
    {
      name: "valid documents",
      docs: [
        doc("EnvironmentConfig", { variables: { OK_1: "b", _under: "c", lower: "d" } }),
        doc("SysctlConfig", { params: { "net.ipv4.ip_forward": "1" } }),
        doc("SysfsConfig", { params: { "devices.system.cpu.cpu0.cpufreq.scaling_governor": "performance" } }),
        doc("KernelModuleConfig", { name: "br_netfilter", parameters: ["x=1"] }),
        doc("WatchdogTimerConfig", { device: "/dev/watchdog0", timeout: "10s" }),
        doc("EventSinkConfig", { endpoint: "[fd00::1]:4000" }),
        doc("KmsgLogConfig", { name: "k", url: "tcp://10.0.0.1:514/" }),
        doc("KmsgLogConfig", { name: "u", url: "udp://logs.example:514" }),
        doc("OOMConfig", {
          triggerExpression: "memory_full_avg10 > 12.0 && time_since_trigger > duration('500ms')",
          cgroupRankingExpression: "double(memory_current.orValue(0u))",
          sampleInterval: "100ms",
        }),
      ],
      base,
    },
    {
      name: "environment names",
      docs: [doc("EnvironmentConfig", { variables: { "1X": "a", "A-B": "b" } })],
      base,
      errors: [
        'EnvironmentConfig variables.1X: invalid environment variable name: "1X"',
        'EnvironmentConfig variables.A-B: invalid environment variable name: "A-B"',
      ],
    },
    {
      name: "empty sysctl and sysfs keys",
      docs: [doc("SysctlConfig", { params: { "": "1" } }), doc("SysfsConfig", { params: { "": "1" } })],
      base,
      errors: [
        "SysctlConfig params: sysctl key cannot be empty",
        "SysfsConfig params: sysfs key cannot be empty",
      ],
    },
    {
      name: "watchdog device and timeout",
      docs: [doc("WatchdogTimerConfig", { device: "/dev/watchdog0", timeout: "5s" })],
      base,
      errors: ["WatchdogTimerConfig timeout: watchdog timeout: minimum value is 10s"],
    },
    {
      name: "watchdog device required, before the timeout",
      docs: [doc("WatchdogTimerConfig", { timeout: "5s" })],
      base,
      errors: ["WatchdogTimerConfig device: watchdog device: empty value"],
    },
    {
      name: "event sink endpoints net.SplitHostPort refuses",
      docs: [doc("EventSinkConfig", { endpoint: "10.0.0.1" })],
      base,
      errors: ["EventSinkConfig endpoint: event sink endpoint: address 10.0.0.1: missing port in address"],
    },
    ...[
      ["", "missing port in address"],
      ["fd00::1:4000", "address fd00::1:4000: too many colons in address"],
      ["[fd00::1]", "address [fd00::1]: missing port in address"],
      ["[fd00::1:4000", "address [fd00::1:4000: missing ']' in address"],
      ["[fd00::1]x:4000", "address [fd00::1]x:4000: missing port in address"],
      ["[::1]:80]", "address [::1]:80]: unexpected ']' in address"],
      ["a[b:80", "address a[b:80: unexpected '[' in address"],
    ].map(([endpoint, message]) => ({
      name: `event sink endpoint ${JSON.stringify(endpoint)}`,
      docs: [doc("EventSinkConfig", { endpoint })],
      base,
      errors: [`EventSinkConfig endpoint: event sink endpoint: ${message}`],
    })),
    {
      name: "kmsg log: name, URL, scheme, path, port",
      docs: [
        doc("KmsgLogConfig", { url: "tcp://10.0.0.1:514" }),
        doc("KmsgLogConfig", { name: "a" }),
        doc("KmsgLogConfig", { name: "b", url: "https://10.0.0.1:514" }),
        doc("KmsgLogConfig", { name: "c", url: "udp://10.0.0.1:514/logs" }),
        doc("KmsgLogConfig", { name: "d", url: "tcp://10.0.0.1" }),
      ],
      base,
      errors: [
        "KmsgLogConfig name: name is required",
        "KmsgLogConfig/a url: url is required",
        "KmsgLogConfig/b url: url scheme must be tcp:// or udp://",
        "KmsgLogConfig/c url: url path must be empty",
        "KmsgLogConfig/d url: url port is required",
      ],
    },
    {
      name: "OOM expressions of the wrong type, sample interval",
      docs: [
        doc("OOMConfig", {
          triggerExpression: "memory_full_avg10",
          cgroupRankingExpression: "path == 'x'",
          sampleInterval: "-1s",
        }),
      ],
      base,
      errors: [
        "OOMConfig triggerExpression: OOM trigger expression is invalid: expression output type is double, expected bool",
        "OOMConfig cgroupRankingExpression: OOM cgroup scoring expression is invalid: expression output type is bool, expected double",
        "OOMConfig sampleInterval: OOM sample interval must be longer than 0",
      ],
    },
    {
      name: "OOM expressions naming what their environment lacks",
      docs: [
        doc("OOMConfig", {
          triggerExpression: "disk.size > 0u",
          cgroupRankingExpression: "time_since_trigger",
        }),
      ],
      base,
      errors: [
        "OOMConfig triggerExpression: OOM trigger expression is invalid: ERROR: <input>:1:1: undeclared reference to 'disk' (in container '')\n | disk.size > 0u\n | ^",
        "OOMConfig cgroupRankingExpression: OOM cgroup scoring expression is invalid: ERROR: <input>:1:1: undeclared reference to 'time_since_trigger' (in container '')\n | time_since_trigger\n | ^",
      ],
    },
    {
      name: "kernel module name",
      docs: [doc("KernelModuleConfig", {})],
      base,
      errors: ["KernelModuleConfig name: name is required"],
    },
    {
      name: "documents without rules of their own",
      docs: [
        doc("SecurityProfileConfig", {}),
        doc("UdevRulesConfig", { rules: ['SUBSYSTEM=="drm", GROUP="video"'] }),
        doc("TrustedRootsConfig", { name: "corp", certificates: CA.crt }),
        doc("PCIDriverRebindConfig", { name: "0000:04:00.00", targetDriver: "vfio-pci" }),
        doc("KubeSpanEndpointsConfig", { extraAnnouncedEndpoints: ["192.0.2.1:51820"] }),
        doc("NetworkDefaultActionConfig", { ingress: "block" }),
      ],
      base,
    },
    {
      name: "KubeAuthenticationConfig on a control plane",
      docs: [doc("KubeAuthenticationConfig", { configuration: { jwt: [] } })],
      base: CP,
    },
    {
      name: "KubeAuthenticationConfig belongs on a control plane",
      docs: [doc("KubeAuthenticationConfig", { configuration: { jwt: [] } })],
      base,
      errors: [
        "KubeAuthenticationConfig: the following document kinds are only allowed on control plane machines: [KubeAuthenticationConfig]",
      ],
    },
  ]);
});

describe("ExtensionServiceConfig", () => {
  table([
    {
      name: "config files, or only an environment",
      docs: [
        doc("ExtensionServiceConfig", {
          name: "nut-client",
          configFiles: [{ content: "MONITOR x", mountPath: "/usr/local/etc/nut/upsmon.conf" }],
        }),
        doc("ExtensionServiceConfig", { name: "env-only", environment: ["A=1"] }),
      ],
      base,
    },
    {
      name: "name, files, content, mount path: the first problem only",
      docs: [
        doc("ExtensionServiceConfig", { configFiles: [{ content: "x" }] }),
        doc("ExtensionServiceConfig", { name: "none" }),
        doc("ExtensionServiceConfig", {
          name: "empty",
          configFiles: [{ content: "x", mountPath: "/a" }, { mountPath: "/b" }, { content: "y" }],
        }),
        doc("ExtensionServiceConfig", { name: "nopath", configFiles: [{ content: "x" }] }),
      ],
      base,
      errors: [
        "ExtensionServiceConfig name: name is required",
        'ExtensionServiceConfig/none configFiles: no config files found for extension "none"',
        'ExtensionServiceConfig/empty configFiles[1].content: extension content is required for extension "empty"',
        'ExtensionServiceConfig/nopath configFiles[0].mountPath: extension mount path is required for extension "nopath"',
      ],
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
      name: "a match that is not a boolean disk expression",
      docs: [
        doc("UnattendedInstallConfig", {
          installer: { image: "i" },
          provisioning: { diskSelector: { match: "disk.size" } },
        }),
      ],
      base,
      errors: [
        "UnattendedInstallConfig provisioning.diskSelector.match: provisioning.volumeSelector.match: expression output type is uint, expected bool",
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
      name: "valid registry, CRI and image cache documents",
      docs: [
        doc("RegistryMirrorConfig", {
          name: "docker.io",
          endpoints: [{ url: "https://mirror.local:5000" }, { url: "HTTP://harbor/v2/", overridePath: true }],
        }),
        doc("RegistryAuthConfig", { name: "a", username: "u", password: "p" }),
        doc("RegistryAuthConfig", { name: "b", identityToken: "t" }),
        doc("RegistryAuthConfig", { name: "c", auth: "dTpw" }),
        doc("RegistryTLSConfig", {
          name: "r",
          ca: CA.crt,
          clientIdentity: { cert: CA.crt, key: CA.key },
          insecureSkipVerify: true,
        }),
        doc("CRICustomizationConfig", { name: "example.com/tuning", content: "x" }),
        doc("CRIBaseRuntimeSpecConfig", { overrides: { process: { rlimits: [] }, hostname: "h" } }),
        doc("ImageCacheConfig", { local: { enabled: true } }),
      ],
      base,
    },
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
      name: "registry names required; endpoint URLs required, a bare host:port is a scheme",
      docs: [
        doc("RegistryMirrorConfig", { endpoints: [{ overridePath: true }, { url: "mirror:5000" }] }),
        doc("RegistryAuthConfig", { auth: "x", username: "u", identityToken: "t" }),
        doc("RegistryAuthConfig", { name: "i", auth: "x", identityToken: "t" }),
        doc("RegistryTLSConfig", { insecureSkipVerify: true }),
      ],
      base,
      errors: [
        "RegistryMirrorConfig name: name must be specified",
        "RegistryMirrorConfig endpoints[0].url: endpoints[0].url must be specified",
        'RegistryMirrorConfig endpoints[1].url: endpoints[1].url has unsupported scheme: "mirror"',
        "RegistryAuthConfig name: name must be specified",
        "RegistryAuthConfig: only one of username/password or identityToken authentication can be specified",
        "RegistryAuthConfig: only one of auth, username/password or identityToken authentication can be specified",
        "RegistryAuthConfig/i: only one of auth, username/password or identityToken authentication can be specified",
        "RegistryTLSConfig name: name must be specified",
      ],
    },
    {
      name: "TLS client identity: each half must be PEM of its kind",
      docs: [
        doc("RegistryTLSConfig", { name: "a", clientIdentity: { key: CA.key } }),
        doc("RegistryTLSConfig", { name: "b", clientIdentity: { cert: "x", key: CA.key } }),
        doc("RegistryTLSConfig", { name: "c", clientIdentity: { cert: CA.key, key: CA.key } }),
        doc("RegistryTLSConfig", { name: "d", clientIdentity: { cert: CA.crt, key: "y" } }),
      ],
      base,
      errors: [
        "RegistryTLSConfig/a clientIdentity: client identity: certificate is required",
        "RegistryTLSConfig/b clientIdentity: client identity: certificate: no PEM blocks found",
        'RegistryTLSConfig/c clientIdentity: client identity: certificate: unexpected PEM block type "ED25519 PRIVATE KEY", expected one of ["CERTIFICATE"]',
        "RegistryTLSConfig/d clientIdentity: client identity: key: no PEM blocks found",
      ],
    },
    {
      name: "1.13: the client identity was loaded half by half",
      docs: [
        doc("RegistryTLSConfig", { name: "a", clientIdentity: { key: CA.key } }),
        doc("RegistryTLSConfig", { name: "b", clientIdentity: { key: "y" } }),
        doc("RegistryTLSConfig", { name: "c", ca: CA.crt }),
      ],
      base: OLD_WORKER,
      contract: "v1.13",
      errors: [
        "RegistryTLSConfig/a clientIdentity.cert: client identity certificate is invalid: failed to parse PEM block",
        "RegistryTLSConfig/b clientIdentity.cert: client identity certificate is invalid: failed to parse PEM block",
        "RegistryTLSConfig/b clientIdentity.key: client identity key is invalid: failed to parse PEM block",
      ],
    },
    {
      name: "CRI customization names",
      docs: [
        doc("CRICustomizationConfig", { name: "customization", content: "x" }),
        doc("CRICustomizationConfig", { name: "-bad", content: "x" }),
        doc("CRICustomizationConfig", { name: "a/b/c", content: "x" }),
        doc("CRICustomizationConfig", { content: "x" }),
      ],
      base,
      errors: [
        'CRICustomizationConfig/customization name: name "customization" is reserved for the legacy CRI customization',
        'CRICustomizationConfig/-bad name: invalid name: name "-bad" is invalid',
        'CRICustomizationConfig/a/b/c name: invalid name: invalid format: too many slashes: "a/b/c"',
        'CRICustomizationConfig name: invalid name: name cannot be empty: ""',
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
    ...[
      [{ process: { args: "sh" } }, "string into Go struct field Process.process.args of type []string"],
      [{ process: { args: [1] } }, "number into Go struct field Process.process.args of type string"],
      [
        { process: { rlimits: [{ type: "RLIMIT_NOFILE", hard: -1, soft: 1024 }] } },
        "number -1 into Go struct field POSIXRlimit.process.rlimits.hard of type uint64",
      ],
      [
        { process: { user: { uid: 1.5 } } },
        "number 1.5 into Go struct field User.process.user.uid of type uint32",
      ],
      [
        { process: { oomScoreAdj: true } },
        "bool into Go struct field Process.process.oomScoreAdj of type int",
      ],
      [{ mounts: ["/tmp"] }, "string into Go struct field Spec.mounts of type specs.Mount"],
      [{ annotations: { a: 1 } }, "number into Go struct field Spec.annotations of type string"],
      [
        { linux: { resources: { memory: { limit: "1Gi" } } } },
        "string into Go struct field LinuxMemory.linux.resources.memory.limit of type int64",
      ],
      [
        { linux: { seccomp: { defaultAction: 1 } } },
        "number into Go struct field LinuxSeccomp.linux.seccomp.defaultAction of type specs.LinuxSeccompAction",
      ],
      // Keys are decoded in sorted order; a key matches its field ignoring case.
      [{ root: { path: 1 }, Hostname: [] }, "array into Go struct field Spec.hostname of type string"],
    ].map(([overrides, message]) => ({
      name: `base runtime spec overrides ${JSON.stringify(overrides)}`,
      docs: [doc("CRIBaseRuntimeSpecConfig", { overrides })],
      base,
      errors: [
        `CRIBaseRuntimeSpecConfig overrides: failed to unmarshal base runtime spec overrides: json: cannot unmarshal ${message}`,
      ],
    })),
    {
      name: "base runtime spec overrides: unknown keys and other platforms' sections pass",
      docs: [
        doc("CRIBaseRuntimeSpecConfig", {
          overrides: {
            process: { rlimits: [{ type: "RLIMIT_NOFILE", hard: 1048576, soft: 1024 }], extra: 1 },
            linux: { resources: { cpu: { shares: 2, quota: -1 } }, sysctl: { "net.core.somaxconn": "1024" } },
            windows: { anything: [1] },
            unknown: { nested: true },
          },
        }),
      ],
      base,
    },
    {
      name: "base runtime spec overrides set in v1alpha1 too",
      docs: [doc("CRIBaseRuntimeSpecConfig", { overrides: { hostname: 7 } })],
      base: merge(WORKER, { machine: { baseRuntimeSpecOverrides: { process: {} } } }),
      errors: [
        "CRIBaseRuntimeSpecConfig overrides: failed to unmarshal base runtime spec overrides: json: cannot unmarshal number into Go struct field Spec.hostname of type string",
        "CRIBaseRuntimeSpecConfig: base runtime spec overrides are already set in v1alpha1 config",
      ],
      warnings: [
        "v1alpha1 machine.baseRuntimeSpecOverrides: .machine.baseRuntimeSpecOverrides is deprecated; use a CRIBaseRuntimeSpecConfig document instead",
      ],
    },
  ]);
});

describe("discovery", () => {
  table([
    {
      name: "valid discovery documents",
      docs: [
        doc("DiscoveryServiceConfig", { name: "d", endpoint: "https://discovery.example" }),
        doc("DiscoveryServiceConfig", { name: "e", endpoint: "grpc://[fd00::1]:3000" }),
        doc("DiscoveryIdentityConfig", IDENTITY),
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
      name: "discovery service: name, endpoint, scheme, host",
      docs: [
        doc("DiscoveryServiceConfig", { endpoint: "https://discovery.example" }),
        doc("DiscoveryServiceConfig", { name: "a" }),
        doc("DiscoveryServiceConfig", { name: "b", endpoint: "discovery.example" }),
        doc("DiscoveryServiceConfig", { name: "c", endpoint: "https:///path" }),
        doc("DiscoveryIdentityConfig", IDENTITY),
      ],
      base,
      errors: [
        "DiscoveryServiceConfig name: name is required",
        "DiscoveryServiceConfig/a endpoint: endpoint is required",
        "DiscoveryServiceConfig/b endpoint: endpoint scheme is required",
        "DiscoveryServiceConfig/c endpoint: endpoint host is required",
      ],
    },
    {
      name: "discovery identity: ID, secret, base64",
      docs: [doc("DiscoveryIdentityConfig", { clusterSecret: SECRET })],
      base,
      errors: ["DiscoveryIdentityConfig clusterID: clusterID is required"],
    },
    {
      name: "discovery identity: secret required",
      docs: [doc("DiscoveryIdentityConfig", { clusterID: "id" })],
      base,
      errors: ["DiscoveryIdentityConfig clusterSecret: clusterSecret is required"],
    },
    {
      name: "discovery identity: secret in URL-safe base64",
      docs: [doc("DiscoveryIdentityConfig", { clusterID: "id", clusterSecret: "ab-_" })],
      base,
      errors: [
        "DiscoveryIdentityConfig clusterSecret: invalid clusterSecret: failed to decode from base64: ab-_; illegal base64 data at input byte 2",
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
      docs: [doc("DiscoveryIdentityConfig", IDENTITY)],
      base: { ...CP, cluster: { ...CP.cluster, id: "x" } },
      errors: [
        "DiscoveryIdentityConfig: cluster identity is already configured in .cluster.id/.cluster.secret of the v1alpha1 config",
      ],
    },
    {
      name: "discovery service conflicts with .cluster.discovery",
      docs: [
        doc("DiscoveryServiceConfig", { name: "d", endpoint: "https://discovery.example" }),
        doc("DiscoveryIdentityConfig", IDENTITY),
      ],
      base: merge(WORKER, { cluster: { discovery: { enabled: false } } }),
      errors: [
        "DiscoveryServiceConfig/d: discovery service is already configured in .cluster.discovery of the v1alpha1 config",
      ],
    },
  ]);
});

describe("ImageVerificationConfig", () => {
  const rules = (...r: object[]) => doc("ImageVerificationConfig", { rules: r });
  const KEYLESS = { issuer: "https://token.actions.githubusercontent.com", subject: "s" };
  table([
    {
      name: "valid rules: keyless, public key, skip, deny, catch-all",
      docs: [
        rules(
          { image: "ghcr.io/siderolabs/*", keyless: KEYLESS },
          { image: "registry.k8s.io/*", keyless: { issuer: "i", subjectRegex: ".*" } },
          { image: "localhost:5000/x", publicKey: { certificate: "c" } },
          { image: "docker.io/library/*", skip: true },
          { image: "*", deny: true },
        ),
      ],
      base,
    },
    {
      name: "image verification rules",
      docs: [rules({ image: "nginx", skip: true, deny: true }, { image: "ghcr.io/x:v1" })],
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
      name: "patterns and verifiers",
      docs: [
        rules(
          { deny: true },
          { image: "ghcr.io/x@sha256:abc", skip: true, publicKey: { certificate: "c" } },
          { image: "ghcr.io/x", keyless: {}, publicKey: {} },
        ),
      ],
      base,
      errors: [
        "ImageVerificationConfig rules[0].image: rule 0: imagePattern must be specified",
        "ImageVerificationConfig rules[1]: rule 1: verifiers cannot be configured if skip or deny is true",
        "ImageVerificationConfig rules[2]: rule 2: only one of keyless or publicKey verifier can be configured",
        "ImageVerificationConfig rules[2].keyless: rule 2: verifier OIDC issuer must be specified",
        "ImageVerificationConfig rules[2].keyless: rule 2: verifier subject or subjectRegex must be specified",
        "ImageVerificationConfig rules[2].publicKey: rule 2: verifier certificates must be specified",
      ],
      warnings: [
        "ImageVerificationConfig rules[1].image: rule 1: imagePattern contains '@' but matching only applies to the image registry and repository, not the tag or digest",
        "ImageVerificationConfig rules[1].image: rule 1: imagePattern contains ':' but matching only applies to the image registry and repository, not the tag or digest",
      ],
    },
    {
      name: "1.13 (from 1.13.1): the pattern warnings",
      docs: [rules({ image: "nginx", skip: true })],
      base: OLD_WORKER,
      talosVersion: "v1.13.5",
      warnings: [
        "ImageVerificationConfig rules[0].image: rule 0: imagePattern does not contain a '/', image references like 'nginx' are matched as 'docker.io/nginx' (normalized)",
      ],
    },
    {
      name: "1.13.0: no pattern warnings yet",
      docs: [rules({ image: "nginx", skip: true })],
      base: OLD_WORKER,
      talosVersion: "v1.13.0",
    },
    {
      name: "1.13.2 on the node: the pattern warnings",
      docs: [rules({ image: "ghcr.io/x@sha256:abc", skip: true })],
      base: OLD_WORKER,
      talosVersion: "v1.13.2",
      warnings: [
        "ImageVerificationConfig rules[0].image: rule 0: imagePattern contains '@' but matching only applies to the image registry and repository, not the tag or digest",
        "ImageVerificationConfig rules[0].image: rule 0: imagePattern contains ':' but matching only applies to the image registry and repository, not the tag or digest",
      ],
    },
  ]);
});

describe("SideroLinkConfig", () => {
  table([
    {
      name: "valid API URLs",
      docs: [doc("SideroLinkConfig", { apiUrl: "https://siderolink.example:8099/?jointoken=t" })],
      base,
    },
    {
      name: "SideroLink API URL scheme",
      docs: [doc("SideroLinkConfig", { apiUrl: "http://x" })],
      base,
      errors: ["SideroLinkConfig apiUrl: apiUrl scheme must be https:// or grpc://"],
    },
    {
      name: "SideroLink API URL required",
      docs: [doc("SideroLinkConfig", { uniqueToken: "t" })],
      base,
      errors: ["SideroLinkConfig apiUrl: apiUrl is required"],
    },
    {
      name: "SideroLink API URL path",
      docs: [doc("SideroLinkConfig", { apiUrl: "grpc://siderolink.example:8099/api" })],
      base,
      errors: ["SideroLinkConfig apiUrl: apiUrl path must be empty"],
    },
  ]);
});
