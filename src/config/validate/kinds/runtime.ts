// Runtime, CRI, container, discovery, security and SideroLink documents (siderolabs/talos:
// pkg/machinery/config/types/{runtime,cri,container,cluster,security,siderolink,hardware}).
import type { Check, KindTable } from "../check.js";
import { type Data, get, has, list, num, obj, str, strs } from "../data.js";
import {
  goDecodeBase64,
  goFormatDuration,
  goHostname,
  goParseDuration,
  goParseURL,
  goPort,
  goQuote,
  humanizeParseBytes,
} from "../go.js";
import { imageReferenceKind } from "../image.js";
import { qualifiedNameError } from "../labels.js";
import { ociSpecError } from "../oci-spec.js";
import { appendsCertificates, certificateError, pkcs8PrivateKeyError } from "../pem.js";
import { certificateAndKeyError } from "./k8s.js";

export { ociSpecError };

const POSIX_ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MANAGED_ETC_FILES = [
  "resolv.conf",
  "hosts",
  "machine-id",
  "extensions.yaml",
  "localtime",
  "os-release",
  "xattr.conf",
];
const MANAGED_ETC_PREFIXES = [
  "apparmor.d/",
  "apparmor/",
  "ca-certificates/",
  "cni/",
  "cri/",
  "iscsi/",
  "kubernetes/",
  "lvm/",
  "nvme/",
  "pki/",
  "selinux/",
  "ssl/",
];
const MIN_WATCHDOG_TIMEOUT_NS = 10e9;
const CONTAINER_NAME = /^[a-z0-9-]+$/;
/** The longest container name, counted in bytes as Go's len does. */
const MAX_CONTAINER_NAME = 63;
const MOUNT_OPTIONS = ["ro", "rw", "noexec", "nosuid", "nodev", "noatime", "rbind", "rshared"];
const NETWORK_CONDITIONS = ["addresses", "connectivity", "hostname", "etcfiles"];
const DISCOVERY_SCHEMES = ["http", "https", "grpc"];
const CLUSTER_SECRET_SIZE = 32;

/** filepath.IsLocal on Unix: relative, non-empty, never climbing above its start. */
function isLocalPath(p: string): boolean {
  if (p === "" || p.startsWith("/")) return false;
  let depth = 0;
  for (const part of p.split("/")) {
    if (part === "..") {
      depth--;
      if (depth < 0) return false;
    } else if (part !== "." && part !== "") depth++;
  }
  return true;
}

function absPathError(kind: string, path: string): string | undefined {
  if (path === "") return `${kind} is required`;
  if (!path.startsWith("/")) return `${kind} ${goQuote(path)} must be an absolute path`;
  return undefined;
}

function mountOptionsErrors(options: readonly string[]): string[] {
  const out = options
    .filter((o) => !MOUNT_OPTIONS.includes(o))
    .map((o) => `unsupported mount option ${goQuote(o)}`);
  if (options.includes("ro") && options.includes("rw"))
    out.push("mount options ro and rw are mutually exclusive");
  return out;
}

function containerCapability(field: string, capability: string): string | undefined {
  if (capability === "") return `${field}: capability name must not be empty`;
  if (capability.startsWith("CAP_"))
    return `${field}: capability ${goQuote(capability)} must be given without the CAP_ prefix`;
  if (capability.toUpperCase() !== capability)
    return `${field}: capability ${goQuote(capability)} must be upper case`;
  if (!/^[A-Z_]*$/.test(capability))
    return `${field}: capability ${goQuote(capability)} may only contain upper case letters and underscores`;
  return undefined;
}

function containerConfig(c: Check): void {
  const d = c.data;
  if (c.name === "") c.error("name is required", ["name"]);
  else if (Buffer.byteLength(c.name) > MAX_CONTAINER_NAME)
    c.error(`name ${goQuote(c.name)} must be ${MAX_CONTAINER_NAME} characters or fewer`, ["name"]);
  else if (!CONTAINER_NAME.test(c.name))
    c.error(`name ${goQuote(c.name)}: name can only contain lowercase ASCII letters, digits and hyphens`, [
      "name",
    ]);

  const image = str(d, ["image"]);
  if (image === "") c.error("image is required", ["image"]);
  else {
    const kind = imageReferenceKind(image);
    if (kind === undefined)
      c.error(`invalid image reference ${goQuote(image)}: could not parse reference: ${image}`, ["image"]);
    else if (kind !== "digest")
      c.warn(
        `container ${goQuote(c.name)}: image ${goQuote(image)} is not digest-pinned, the running image may change on restart`,
        ["image"],
      );
  }

  strs(d, ["environment"]).forEach((env, i) => {
    if (!env.includes("="))
      c.error(`environment[${i}]: ${goQuote(env)} must be in KEY=value form`, ["environment", i]);
  });

  const destinations = new Set<string>();
  list(d, ["mounts"]).forEach((m, i) => {
    const at = ["mounts", i];
    const kinds = ["userVolume", "tmpfs", "hostPath"].filter((k) => has(m, [k]));
    if (kinds.length !== 1) {
      c.error(`mounts[${i}]: exactly one of userVolume, tmpfs or hostPath must be set`, at);
      return;
    }
    const kind = kinds[0]!;
    const errors: string[] = [];
    if (kind === "userVolume") {
      if (str(m, ["userVolume", "name"]) === "") errors.push("userVolume.name is required");
    }
    if (kind === "hostPath") {
      const e = absPathError("hostPath.source", str(m, ["hostPath", "source"]));
      if (e !== undefined) errors.push(e);
    }
    const dest = str(m, [kind, "destination"]);
    const de = absPathError(`${kind}.destination`, dest);
    if (de !== undefined) errors.push(de);
    errors.push(...mountOptionsErrors(strs(m, [kind, "options"])));
    if (errors.length > 0) {
      for (const e of errors) c.error(`mounts[${i}]: ${e}`, [...at, kind]);
      return;
    }
    if (destinations.has(dest))
      c.error(`mounts[${i}]: duplicate destination ${goQuote(dest)}`, [...at, kind, "destination"]);
    destinations.add(dest);
  });

  if (has(d, ["security"])) {
    const profile = str(d, ["security", "profile"]);
    if (profile !== "" && profile !== "restricted" && profile !== "privileged")
      c.error(`unsupported security profile ${goQuote(profile)}, expected restricted or privileged`, [
        "security",
        "profile",
      ]);
    const add = strs(d, ["security", "capabilities", "add"]);
    const drop = strs(d, ["security", "capabilities", "drop"]);
    add.forEach((cap, i) => {
      const at = ["security", "capabilities", "add", i];
      if (cap === "ALL") {
        c.error("capabilities.add does not accept ALL, use profile: privileged instead", at);
        return;
      }
      const e = containerCapability("capabilities.add", cap);
      if (e !== undefined) c.error(e, at);
    });
    drop.forEach((cap, i) => {
      if (cap === "ALL") return;
      const e = containerCapability("capabilities.drop", cap);
      if (e !== undefined) c.error(e, ["security", "capabilities", "drop", i]);
    });
    for (const cap of add) {
      if (drop.includes(cap))
        c.error(`capability ${goQuote(cap)} appears in both add and drop`, ["security", "capabilities"]);
    }
  }

  if (has(d, ["network"])) {
    const mode = str(d, ["network", "mode"]);
    if (mode !== "" && mode !== "none" && mode !== "host")
      c.error(`unsupported network mode ${goQuote(mode)}, expected none or host`, ["network", "mode"]);
  }

  const memory = str(d, ["resources", "limits", "memory"]);
  if (memory !== "") {
    const r = humanizeParseBytes(memory);
    if ("error" in r)
      c.error(`limits.memory ${goQuote(memory)} is not a valid size: ${r.error}`, [
        "resources",
        "limits",
        "memory",
      ]);
  }
  const cpu = str(d, ["resources", "limits", "cpu"]);
  if (cpu !== "") {
    const at = ["resources", "limits", "cpu"];
    if (!cpu.endsWith("m"))
      c.error(`limits.cpu ${goQuote(cpu)} must be expressed in millicores, e.g. 1500m`, at);
    else {
      const n = cpu.slice(0, -1);
      if (!/^\d+$/.test(n) || BigInt(n) > 0xffffffffffffffffn) {
        const why = /^\d+$/.test(n) ? "value out of range" : "invalid syntax";
        c.error(
          `limits.cpu ${goQuote(cpu)} is not a valid millicore quantity: strconv.ParseUint: parsing ${goQuote(n)}: ${why}`,
          at,
        );
      } else if (BigInt(n) === 0n) c.error(`limits.cpu ${goQuote(cpu)} must be greater than zero`, at);
    }
  }

  if (has(d, ["dependsOn"])) {
    strs(d, ["dependsOn", "paths"]).forEach((p, i) => {
      const e = absPathError("dependsOn.paths entry", p);
      if (e !== undefined) c.error(e, ["dependsOn", "paths", i]);
    });
    for (const cond of strs(d, ["dependsOn", "networks"])) {
      if (!NETWORK_CONDITIONS.includes(cond))
        c.error(`unsupported dependsOn.networks condition ${goQuote(cond)}`, ["dependsOn", "networks"]);
    }
    strs(d, ["dependsOn", "containers"]).forEach((name, i) => {
      const at = ["dependsOn", "containers", i];
      if (name === "") c.error("dependsOn.containers entry must not be empty", at);
      else if (name === c.name) c.error(`container ${goQuote(c.name)} cannot depend on itself`, at);
    });
  }

  for (const id of ["uid", "gid"] as const) {
    const v = num(d, ["runAs", id]);
    if (v !== undefined && v < 0) c.error(`runAs.${id} must be non-negative, got ${v}`, ["runAs", id]);
  }
}

function discoveryEndpoint(c: Check): void {
  const endpoint = str(c.data, ["endpoint"]);
  if (endpoint === "") {
    c.error("endpoint is required", ["endpoint"]);
    return;
  }
  const u = goParseURL(endpoint);
  if (u.scheme === "") {
    c.error("endpoint scheme is required", ["endpoint"]);
    return;
  }
  if (!DISCOVERY_SCHEMES.includes(u.scheme)) {
    c.error("endpoint scheme must be http://, https:// or grpc://", ["endpoint"]);
    return;
  }
  if (goHostname(u.host) === "") c.error("endpoint host is required", ["endpoint"]);
}

const machine = (legacy: Data) => obj(legacy, ["machine"]);

/**
 * Whether ImageVerificationConfig's pattern warnings apply: they came with Talos 1.13.1, so a 1.13
 * contract has them unless the node says it runs 1.13.0 (or a pre-release of it).
 */
function patternHints(c: Check): boolean {
  if (c.atLeast(1, 14)) return true;
  if (!c.atLeast(1, 13)) return false;
  const running = c.options.talosVersion;
  if (running === undefined || running.major !== 1 || running.minor !== 13) return true;
  const patch = /^v?\d+\.\d+\.(\d+)/.exec(running.text);
  return patch === null || Number(patch[1]) >= 1;
}

export const RUNTIME_RULES: KindTable = {
  EnvironmentConfig: {
    validate: (c) => {
      for (const key of Object.keys(obj(c.data, ["variables"]) ?? {})) {
        if (!POSIX_ENV_KEY.test(key))
          c.error(`invalid environment variable name: ${goQuote(key)}`, ["variables", key]);
      }
    },
  },
  EtcFileConfig: {
    validate: (c) => {
      const p = c.name;
      if (p === "") {
        c.error("user etc file name cannot be empty", ["name"]);
        return;
      }
      if (!isLocalPath(p) || p.startsWith(".")) {
        c.error(`user etc file ${goQuote(p)} must be a local path`, ["name"]);
        return;
      }
      if (
        MANAGED_ETC_FILES.includes(p) ||
        MANAGED_ETC_PREFIXES.some((prefix) => p === prefix.slice(0, -1) || p.startsWith(prefix))
      ) {
        c.error(`user etc file ${goQuote(p)} is managed by Talos`, ["name"]);
        return;
      }
    },
  },
  EventSinkConfig: {
    validate: (c) => {
      const endpoint = str(c.data, ["endpoint"]);
      const e = splitHostPortError(endpoint);
      if (e !== undefined) c.error(`event sink endpoint: ${e}`, ["endpoint"]);
    },
  },
  KernelModuleConfig: {
    validate: (c) => {
      if (c.name === "") c.error("name is required", ["name"]);
    },
  },
  KmsgLogConfig: {
    validate: (c) => {
      if (c.name === "") {
        c.error("name is required", ["name"]);
        return;
      }
      const url = str(c.data, ["url"]);
      if (url === "") {
        c.error("url is required", ["url"]);
        return;
      }
      const u = goParseURL(url);
      if (u.scheme !== "tcp" && u.scheme !== "udp") {
        c.error("url scheme must be tcp:// or udp://", ["url"]);
        return;
      }
      if (u.path !== "" && u.path !== "/") {
        c.error("url path must be empty", ["url"]);
        return;
      }
      if (goPort(u.host) === "") {
        c.error("url port is required", ["url"]);
        return;
      }
    },
  },
  OOMConfig: {
    validate: (c) => {
      c.cel(["triggerExpression"], "oomTrigger", "OOM trigger expression is invalid");
      c.cel(
        ["cgroupRankingExpression"],
        "oomScoring",
        "OOM cgroup scoring expression is invalid",
        undefined,
        "double",
      );
      if ((goParseDuration(str(c.data, ["sampleInterval"])) ?? 0) < 0)
        c.error("OOM sample interval must be longer than 0", ["sampleInterval"]);
    },
  },
  SecurityProfileConfig: {},
  SysctlConfig: {
    validate: (c) => {
      if (Object.hasOwn(obj(c.data, ["params"]) ?? {}, "")) c.error("sysctl key cannot be empty", ["params"]);
    },
  },
  SysfsConfig: {
    validate: (c) => {
      if (Object.hasOwn(obj(c.data, ["params"]) ?? {}, "")) c.error("sysfs key cannot be empty", ["params"]);
    },
  },
  UnattendedInstallConfig: {
    validate: (c) => {
      if (str(c.data, ["installer", "image"]) === "") {
        c.warn(
          "installer.image is not set, if Talos is not booted from asset built by Image Factory, installation will fail",
          ["installer", "image"],
        );
      }
      c.cel(
        ["provisioning", "diskSelector", "match"],
        "disk",
        "provisioning.volumeSelector.match",
        "provisioning.volumeSelector.match is required",
      );
    },
    conflict: (legacy) =>
      has(machine(legacy), ["install"])
        ? "UnattendedInstallConfig config is incompatible with v1alpha1 config (.machine.install)"
        : undefined,
  },
  WatchdogTimerConfig: {
    validate: (c) => {
      if (str(c.data, ["device"]) === "") {
        c.error("watchdog device: empty value", ["device"]);
        return;
      }
      const t = goParseDuration(str(c.data, ["timeout"])) ?? 0;
      if (t !== 0 && t < MIN_WATCHDOG_TIMEOUT_NS)
        c.error(`watchdog timeout: minimum value is ${goFormatDuration(MIN_WATCHDOG_TIMEOUT_NS)}`, [
          "timeout",
        ]);
    },
  },
  ExtensionServiceConfig: {
    validate: (c) => {
      if (c.name === "") {
        c.error("name is required", ["name"]);
        return;
      }
      const files = list(c.data, ["configFiles"]);
      if (files.length === 0 && strs(c.data, ["environment"]).length === 0) {
        c.error(`no config files found for extension ${goQuote(c.name)}`, ["configFiles"]);
        return;
      }
      for (const [i, file] of files.entries()) {
        if (str(file, ["content"]) === "") {
          c.error(`extension content is required for extension ${goQuote(c.name)}`, [
            "configFiles",
            i,
            "content",
          ]);
          return;
        }
        if (str(file, ["mountPath"]) === "") {
          c.error(`extension mount path is required for extension ${goQuote(c.name)}`, [
            "configFiles",
            i,
            "mountPath",
          ]);
          return;
        }
      }
    },
  },

  CRIBaseRuntimeSpecConfig: {
    validate: (c) => {
      const e = ociSpecError(get(c.data, ["overrides"]));
      if (e !== undefined) c.error(`failed to unmarshal base runtime spec overrides: ${e}`, ["overrides"]);
    },
    conflict: (legacy) =>
      has(machine(legacy), ["baseRuntimeSpecOverrides"])
        ? "base runtime spec overrides are already set in v1alpha1 config"
        : undefined,
  },
  CRICustomizationConfig: {
    validate: (c) => {
      const e = qualifiedNameError(c.name);
      if (e !== undefined) c.error(`invalid name: ${e}`, ["name"]);
      if (c.name === "customization")
        c.error(`name "customization" is reserved for the legacy CRI customization`, ["name"]);
    },
  },
  ImageCacheConfig: {
    conflict: (legacy) =>
      has(machine(legacy), ["features", "imageCache"])
        ? "image cache config is already set in v1alpha1 config"
        : undefined,
  },
  RegistryAuthConfig: {
    validate: (c) => {
      if (c.name === "") c.error("name must be specified", ["name"]);
      const user = str(c.data, ["username"]) !== "";
      const token = str(c.data, ["identityToken"]) !== "";
      const auth = str(c.data, ["auth"]) !== "";
      if (user && token)
        c.error("only one of username/password or identityToken authentication can be specified");
      if (auth && (user || token))
        c.error("only one of auth, username/password or identityToken authentication can be specified");
    },
  },
  RegistryMirrorConfig: {
    validate: (c) => {
      if (c.name === "") c.error("name must be specified", ["name"]);
      list(c.data, ["endpoints"]).forEach((ep, i) => {
        const url = str(ep, ["url"]);
        const at = ["endpoints", i, "url"];
        if (url === "") c.error(`endpoints[${i}].url must be specified`, at);
        else {
          const scheme = goParseURL(url).scheme;
          if (scheme !== "http" && scheme !== "https")
            c.error(`endpoints[${i}].url has unsupported scheme: ${goQuote(scheme)}`, at);
        }
      });
    },
  },
  RegistryTLSConfig: {
    validate: (c) => {
      if (c.name === "") c.error("name must be specified", ["name"]);
      const ca = str(c.data, ["ca"]);
      if (ca !== "" && !appendsCertificates(ca))
        c.error("ca must be a valid PEM-encoded certificate", ["ca"]);
      const identity = obj(c.data, ["clientIdentity"]);
      if (identity === undefined) return;
      if (c.atLeast(1, 14)) {
        const e = certificateAndKeyError(identity, false);
        if (e !== undefined) c.error(`client identity: ${e}`, ["clientIdentity"]);
        return;
      }
      // Before 1.14 the pair was loaded as it is, each half on its own.
      const certErr = certificateError(str(identity, ["cert"]));
      if (certErr !== undefined)
        c.error(`client identity certificate is invalid: ${certErr}`, ["clientIdentity", "cert"]);
      const keyErr = pkcs8PrivateKeyError(str(identity, ["key"]));
      if (keyErr !== undefined)
        c.error(`client identity key is invalid: ${keyErr}`, ["clientIdentity", "key"]);
    },
  },

  ContainerConfig: { validate: containerConfig },

  DiscoveryIdentityConfig: {
    validate: (c) => {
      if (str(c.data, ["clusterID"]) === "") {
        c.error("clusterID is required", ["clusterID"]);
        return;
      }
      const secret = str(c.data, ["clusterSecret"]);
      if (secret === "") {
        c.error("clusterSecret is required", ["clusterSecret"]);
        return;
      }
      const r = goDecodeBase64(secret);
      if ("error" in r) {
        c.error(`invalid clusterSecret: failed to decode from base64: ${secret}; ${r.error}`, [
          "clusterSecret",
        ]);
        return;
      }
      if (r.bytes.length !== CLUSTER_SECRET_SIZE)
        c.error(
          `invalid clusterSecret: expected ${CLUSTER_SECRET_SIZE} bytes, got ${r.bytes.length}: ${secret}`,
          ["clusterSecret"],
        );
    },
    conflict: (legacy) =>
      str(legacy, ["cluster", "id"]) !== "" || str(legacy, ["cluster", "secret"]) !== ""
        ? "cluster identity is already configured in .cluster.id/.cluster.secret of the v1alpha1 config"
        : undefined,
  },
  DiscoveryServiceConfig: {
    validate: (c) => {
      if (c.name === "") {
        c.error("name is required", ["name"]);
        return;
      }
      discoveryEndpoint(c);
    },
    conflict: (legacy) =>
      has(legacy, ["cluster", "discovery"])
        ? "discovery service is already configured in .cluster.discovery of the v1alpha1 config"
        : undefined,
  },

  ImageVerificationConfig: {
    validate: (c) => {
      list(c.data, ["rules"]).forEach((rule, i) => {
        const at = ["rules", i];
        const pattern = str(rule, ["image"]);
        if (pattern === "") c.error(`rule ${i}: imagePattern must be specified`, [...at, "image"]);
        const hints = patternHints(c);
        if (hints && pattern.includes("@"))
          c.warn(
            `rule ${i}: imagePattern contains '@' but matching only applies to the image registry and repository, not the tag or digest`,
            [...at, "image"],
          );
        if (hints && pattern.includes(":")) {
          const slash = pattern.indexOf("/");
          if (slash >= 0 && pattern.slice(slash + 1).includes(":"))
            c.warn(
              `rule ${i}: imagePattern contains ':' but matching only applies to the image registry and repository, not the tag or digest`,
              [...at, "image"],
            );
        }
        if (hints && !pattern.includes("/") && pattern !== "*" && pattern !== "")
          c.warn(
            `rule ${i}: imagePattern does not contain a '/', image references like 'nginx' are matched as 'docker.io/nginx' (normalized)`,
            [...at, "image"],
          );
        const skip = get(rule, ["skip"]) === true;
        const deny = get(rule, ["deny"]) === true;
        const keyless = has(rule, ["keyless"]);
        const publicKey = has(rule, ["publicKey"]);
        const verifiers = keyless || publicKey;
        if (skip && deny) c.error(`rule ${i}: skip and deny cannot both be true`, at);
        if ((skip || deny) && verifiers)
          c.error(`rule ${i}: verifiers cannot be configured if skip or deny is true`, at);
        if (!skip && !deny && !verifiers) c.error(`rule ${i}: at least one verifier must be configured`, at);
        if (keyless && publicKey)
          c.error(`rule ${i}: only one of keyless or publicKey verifier can be configured`, at);
        if (keyless) {
          if (str(rule, ["keyless", "issuer"]) === "")
            c.error(`rule ${i}: verifier OIDC issuer must be specified`, [...at, "keyless"]);
          if (str(rule, ["keyless", "subject"]) === "" && str(rule, ["keyless", "subjectRegex"]) === "")
            c.error(`rule ${i}: verifier subject or subjectRegex must be specified`, [...at, "keyless"]);
        }
        if (publicKey && str(rule, ["publicKey", "certificate"]) === "")
          c.error(`rule ${i}: verifier certificates must be specified`, [...at, "publicKey"]);
      });
    },
  },
  TrustedRootsConfig: {},
  SideroLinkConfig: {
    validate: (c) => {
      const url = str(c.data, ["apiUrl"]);
      if (url === "") {
        c.error("apiUrl is required", ["apiUrl"]);
        return;
      }
      const u = goParseURL(url);
      if (u.scheme !== "https" && u.scheme !== "grpc") {
        c.error("apiUrl scheme must be https:// or grpc://", ["apiUrl"]);
        return;
      }
      if (u.path !== "" && u.path !== "/") {
        c.error("apiUrl path must be empty", ["apiUrl"]);
        return;
      }
    },
  },
  PCIDriverRebindConfig: {},
  KubeSpanEndpointsConfig: {},
  NetworkDefaultActionConfig: {},
  UdevRulesConfig: {},
  KubeAuthenticationConfig: {},
};

/** net.SplitHostPort's errors, as net.AddrError words them (no "address" prefix for an empty one). */
function splitHostPortError(hostport: string): string | undefined {
  const fail = (why: string) => (hostport === "" ? why : `address ${hostport}: ${why}`);
  const missingPort = "missing port in address";
  const tooManyColons = "too many colons in address";
  const last = hostport.lastIndexOf(":");
  if (last < 0) return fail(missingPort);
  // Where a stray bracket may no longer appear: after the opening one, after the closing one.
  let open = 0;
  let close = 0;
  if (hostport.startsWith("[")) {
    const end = hostport.indexOf("]");
    if (end < 0) return fail("missing ']' in address");
    if (end + 1 === hostport.length) return fail(missingPort);
    if (end + 1 !== last) return fail(hostport[end + 1] === ":" ? tooManyColons : missingPort);
    open = 1;
    close = end + 1;
  } else if (hostport.slice(0, last).includes(":")) return fail(tooManyColons);
  if (hostport.indexOf("[", open) >= 0) return fail("unexpected '[' in address");
  if (hostport.indexOf("]", close) >= 0) return fail("unexpected ']' in address");
  return undefined;
}
