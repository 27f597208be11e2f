// Base runtime spec overrides as Talos checks them: re-encoded as JSON and decoded into the OCI
// runtime spec (opencontainers/runtime-spec specs-go v1.3.0) with encoding/json, whose first type
// mismatch is the error. The model below is the spec's field types as that decoder sees them.

type GoType =
  | { readonly k: "string" | "bool" | "float" | "any"; readonly name?: string }
  | { readonly k: "int" | "uint"; readonly bits: number; readonly name?: string }
  | { readonly k: "slice"; readonly elem: GoType }
  | { readonly k: "map"; readonly elem: GoType }
  | { readonly k: "struct"; readonly name: string; readonly fields: () => Readonly<Record<string, GoType>> };

const STRING: GoType = { k: "string" };
const BOOL: GoType = { k: "bool" };
const named = (name: string): GoType => ({ k: "string", name: `specs.${name}` });
const int = (bits: number, name = bits === 64 ? "int64" : `int${bits}`): GoType => ({ k: "int", bits, name });
const uint = (bits: number, name = bits === 64 ? "uint64" : `uint${bits}`): GoType => ({
  k: "uint",
  bits,
  name,
});
/** Go's int and uint: 64 bits on the platforms Talos runs on. */
const GO_INT = int(64, "int");
const GO_UINT = uint(64, "uint");
const FILE_MODE = uint(32, "fs.FileMode");
const slice = (elem: GoType): GoType => ({ k: "slice", elem });
const map = (elem: GoType): GoType => ({ k: "map", elem });
const struct = (name: string, fields: () => Record<string, GoType>): GoType => ({
  k: "struct",
  name,
  fields,
});
const STRINGS = slice(STRING);

const IDMapping = struct("LinuxIDMapping", () => ({
  containerID: uint(32),
  hostID: uint(32),
  size: uint(32),
}));
const BlockIODevice = { major: int(64), minor: int(64) };
const ThrottleDevice = struct("LinuxThrottleDevice", () => ({ ...BlockIODevice, rate: uint(64) }));

const Process = struct("Process", () => ({
  terminal: BOOL,
  consoleSize: struct("Box", () => ({ height: GO_UINT, width: GO_UINT })),
  user: struct("User", () => ({
    uid: uint(32),
    gid: uint(32),
    umask: uint(32),
    additionalGids: slice(uint(32)),
    username: STRING,
  })),
  args: STRINGS,
  commandLine: STRING,
  env: STRINGS,
  cwd: STRING,
  capabilities: struct("LinuxCapabilities", () => ({
    bounding: STRINGS,
    effective: STRINGS,
    inheritable: STRINGS,
    permitted: STRINGS,
    ambient: STRINGS,
  })),
  rlimits: slice(struct("POSIXRlimit", () => ({ type: STRING, hard: uint(64), soft: uint(64) }))),
  noNewPrivileges: BOOL,
  apparmorProfile: STRING,
  oomScoreAdj: GO_INT,
  scheduler: struct("Scheduler", () => ({
    policy: named("LinuxSchedulerPolicy"),
    nice: int(32),
    priority: int(32),
    flags: slice(named("LinuxSchedulerFlag")),
    runtime: uint(64),
    deadline: uint(64),
    period: uint(64),
  })),
  selinuxLabel: STRING,
  ioPriority: struct("LinuxIOPriority", () => ({ class: named("IOPriorityClass"), priority: GO_INT })),
  execCPUAffinity: struct("CPUAffinity", () => ({ initial: STRING, final: STRING })),
}));

const Hook = struct("Hook", () => ({ path: STRING, args: STRINGS, env: STRINGS, timeout: GO_INT }));

const Resources = struct("LinuxResources", () => ({
  devices: slice(
    struct("LinuxDeviceCgroup", () => ({
      allow: BOOL,
      type: STRING,
      major: int(64),
      minor: int(64),
      access: STRING,
    })),
  ),
  memory: struct("LinuxMemory", () => ({
    limit: int(64),
    reservation: int(64),
    swap: int(64),
    kernel: int(64),
    kernelTCP: int(64),
    swappiness: uint(64),
    disableOOMKiller: BOOL,
    useHierarchy: BOOL,
    checkBeforeUpdate: BOOL,
  })),
  cpu: struct("LinuxCPU", () => ({
    shares: uint(64),
    quota: int(64),
    burst: uint(64),
    period: uint(64),
    realtimeRuntime: int(64),
    realtimePeriod: uint(64),
    cpus: STRING,
    mems: STRING,
    idle: int(64),
  })),
  pids: struct("LinuxPids", () => ({ limit: int(64) })),
  blockIO: struct("LinuxBlockIO", () => ({
    weight: uint(16),
    leafWeight: uint(16),
    weightDevice: slice(
      struct("LinuxWeightDevice", () => ({ ...BlockIODevice, weight: uint(16), leafWeight: uint(16) })),
    ),
    throttleReadBpsDevice: slice(ThrottleDevice),
    throttleWriteBpsDevice: slice(ThrottleDevice),
    throttleReadIOPSDevice: slice(ThrottleDevice),
    throttleWriteIOPSDevice: slice(ThrottleDevice),
  })),
  hugepageLimits: slice(struct("LinuxHugepageLimit", () => ({ pageSize: STRING, limit: uint(64) }))),
  network: struct("LinuxNetwork", () => ({
    classID: uint(32),
    priorities: slice(struct("LinuxInterfacePriority", () => ({ name: STRING, priority: uint(32) }))),
  })),
  rdma: map(struct("LinuxRdma", () => ({ hcaHandles: uint(32), hcaObjects: uint(32) }))),
  unified: map(STRING),
}));

const Linux = struct("Linux", () => ({
  uidMappings: slice(IDMapping),
  gidMappings: slice(IDMapping),
  sysctl: map(STRING),
  resources: Resources,
  cgroupsPath: STRING,
  namespaces: slice(struct("LinuxNamespace", () => ({ type: named("LinuxNamespaceType"), path: STRING }))),
  devices: slice(
    struct("LinuxDevice", () => ({
      path: STRING,
      type: STRING,
      major: int(64),
      minor: int(64),
      fileMode: FILE_MODE,
      uid: uint(32),
      gid: uint(32),
    })),
  ),
  netDevices: map(struct("LinuxNetDevice", () => ({ name: STRING }))),
  seccomp: struct("LinuxSeccomp", () => ({
    defaultAction: named("LinuxSeccompAction"),
    defaultErrnoRet: GO_UINT,
    architectures: slice(named("Arch")),
    flags: slice(named("LinuxSeccompFlag")),
    listenerPath: STRING,
    listenerMetadata: STRING,
    syscalls: slice(
      struct("LinuxSyscall", () => ({
        names: STRINGS,
        action: named("LinuxSeccompAction"),
        errnoRet: GO_UINT,
        args: slice(
          struct("LinuxSeccompArg", () => ({
            index: GO_UINT,
            value: uint(64),
            valueTwo: uint(64),
            op: named("LinuxSeccompOperator"),
          })),
        ),
      })),
    ),
  })),
  rootfsPropagation: STRING,
  maskedPaths: STRINGS,
  readonlyPaths: STRINGS,
  mountLabel: STRING,
  intelRdt: struct("LinuxIntelRdt", () => ({
    closID: STRING,
    schemata: STRINGS,
    l3CacheSchema: STRING,
    memBwSchema: STRING,
    enableMonitoring: BOOL,
  })),
  memoryPolicy: struct("LinuxMemoryPolicy", () => ({
    mode: named("MemoryPolicyModeType"),
    nodes: STRING,
    flags: slice(named("MemoryPolicyFlagType")),
  })),
  personality: struct("LinuxPersonality", () => ({
    domain: named("LinuxPersonalityDomain"),
    flags: slice(named("LinuxPersonalityFlag")),
  })),
  timeOffsets: map(struct("LinuxTimeOffset", () => ({ secs: int(64), nanosecs: uint(32) }))),
}));

/** The other platforms' sections: their own types, looked into no further. */
const opaque = (name: string): GoType => struct(name, () => ({}));

const SPEC = struct("Spec", () => ({
  ociVersion: STRING,
  process: Process,
  root: struct("Root", () => ({ path: STRING, readonly: BOOL })),
  hostname: STRING,
  domainname: STRING,
  mounts: slice(
    struct("Mount", () => ({
      destination: STRING,
      type: STRING,
      source: STRING,
      options: STRINGS,
      uidMappings: slice(IDMapping),
      gidMappings: slice(IDMapping),
    })),
  ),
  hooks: struct("Hooks", () => ({
    prestart: slice(Hook),
    createRuntime: slice(Hook),
    createContainer: slice(Hook),
    startContainer: slice(Hook),
    poststart: slice(Hook),
    poststop: slice(Hook),
  })),
  annotations: map(STRING),
  linux: Linux,
  solaris: opaque("Solaris"),
  windows: opaque("Windows"),
  vm: opaque("VM"),
  zos: opaque("ZOS"),
  freebsd: opaque("FreeBSD"),
}));

/** reflect.Type.String() of a Go type. */
function typeName(t: GoType): string {
  switch (t.k) {
    case "slice":
      return `[]${typeName(t.elem)}`;
    case "map":
      return `map[string]${typeName(t.elem)}`;
    case "struct":
      return `specs.${t.name}`;
    case "float":
      return t.name ?? "float64";
    case "any":
      return "interface {}";
    default:
      return t.name ?? t.k;
  }
}

/** encoding/json's text of a number (what the decoder quotes for a number it cannot store). */
function jsonNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return n.toFixed(0);
  const abs = Math.abs(n);
  if (abs >= 1e-6 && abs < 1e21) return String(n);
  // Go writes exponents with at least two digits.
  return String(n).replace(/e([+-])(\d)$/, "e$10$2");
}

interface Context {
  readonly struct: string;
  readonly fields: readonly string[];
}

/** The JSON value's kind as UnmarshalTypeError names it, or undefined when `t` can hold it. */
function mismatch(value: unknown, t: GoType): string | undefined {
  if (t.k === "any") return undefined;
  if (typeof value === "string") return t.k === "string" ? undefined : "string";
  if (typeof value === "boolean") return t.k === "bool" ? undefined : "bool";
  if (typeof value === "number") {
    const text = jsonNumber(value);
    if (t.k === "float") return undefined;
    if (t.k === "int" || t.k === "uint") {
      const limit = 2 ** (t.k === "int" ? t.bits - 1 : t.bits);
      const fits =
        /^-?\d+$/.test(text) &&
        (t.k === "int" ? value >= -limit && value < limit : !text.startsWith("-") && value < limit);
      return fits ? undefined : `number ${text}`;
    }
    return "number";
  }
  if (Array.isArray(value)) return t.k === "slice" ? undefined : "array";
  return t.k === "struct" || t.k === "map" ? undefined : "object";
}

function decodeError(value: unknown, t: GoType, ctx: Context): string | undefined {
  if (value === null || value === undefined) return undefined;
  const bad = mismatch(value, t);
  if (bad !== undefined) {
    return `json: cannot unmarshal ${bad} into Go struct field ${ctx.struct}.${ctx.fields.join(".")} of type ${typeName(t)}`;
  }
  if (t.k === "slice") {
    for (const item of value as unknown[]) {
      const e = decodeError(item, t.elem, ctx);
      if (e !== undefined) return e;
    }
    return undefined;
  }
  if (t.k !== "struct" && t.k !== "map") return undefined;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  if (t.k === "map") {
    for (const [, v] of entries) {
      const e = decodeError(v, t.elem, ctx);
      if (e !== undefined) return e;
    }
    return undefined;
  }
  const fields = t.fields();
  for (const [key, v] of entries) {
    // Fields match by name exactly, else ignoring case; unknown keys are skipped.
    const name = Object.hasOwn(fields, key)
      ? key
      : Object.keys(fields).find((f) => f.toLowerCase() === key.toLowerCase());
    if (name === undefined) continue;
    const e = decodeError(v, fields[name]!, { struct: t.name, fields: [...ctx.fields, name] });
    if (e !== undefined) return e;
  }
  return undefined;
}

/** The decoder's complaint about overrides as an OCI runtime spec, or undefined when they decode. */
export function ociSpecError(overrides: unknown): string | undefined {
  if (overrides === null || typeof overrides !== "object" || Array.isArray(overrides)) return undefined;
  return decodeError(overrides, SPEC, { struct: "Spec", fields: [] });
}
