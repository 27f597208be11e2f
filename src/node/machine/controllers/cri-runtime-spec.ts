// The base OCI runtime spec of the CRI, as Talos's RuntimeSpecConfigController projects it
// (siderolabs/talos: internal/app/machined/pkg/controllers/cri/runtime_spec_config.go): always
// `default`, containerd's default spec for a Linux container in the `k8s.io` namespace
// (containerd: pkg/oci/spec.go, mounts.go) without its default rlimits, which CRI leaves out;
// and `overrides` when the config has any (the CRIBaseRuntimeSpecConfig document's
// `overrides`, or v1alpha1's `.machine.baseRuntimeSpecOverrides`). Talos round-trips the spec
// through a map, so its YAML keys come out sorted.
import { BaseRuntimeSpecConfigSpecSchema } from "../../../gen/resource/definitions/cri/cri_pb.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import { legacyDocument, type MachineConfig } from "../config.js";
import { INPUT, type MachineSource } from "./source.js";

export const BASE_RUNTIME_SPEC_CONFIG = messageKind(
  "BaseRuntimeSpecConfigs.cri.talos.dev",
  BaseRuntimeSpecConfigSpecSchema,
);

/** The runtime-spec version containerd 2.1 writes into its specs. */
const OCI_VERSION = "1.2.1";

/** containerd 2's default capabilities (MKNOD, NET_RAW, SETFCAP, SYS_CHROOT, AUDIT_WRITE dropped). */
const DEFAULT_CAPS = [
  "CAP_CHOWN",
  "CAP_DAC_OVERRIDE",
  "CAP_FSETID",
  "CAP_FOWNER",
  "CAP_SETGID",
  "CAP_SETUID",
  "CAP_SETPCAP",
  "CAP_NET_BIND_SERVICE",
  "CAP_KILL",
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const mount = (destination: string, type: string, source: string, options: string[]): Json => ({
  destination,
  type,
  source,
  options,
});

/** containerd's default Linux spec for a container of `namespace` with an empty id. */
export function defaultRuntimeSpec(namespace = "k8s.io"): Json {
  const tmpfs = ["nosuid", "strictatime", "mode=755", "size=65536k"];
  return {
    ociVersion: OCI_VERSION,
    process: {
      user: { uid: 0, gid: 0 },
      cwd: "/",
      capabilities: { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS },
      noNewPrivileges: true,
    },
    root: { path: "rootfs" },
    mounts: [
      mount("/proc", "proc", "proc", ["nosuid", "noexec", "nodev"]),
      mount("/dev", "tmpfs", "tmpfs", tmpfs),
      mount("/dev/pts", "devpts", "devpts", [
        "nosuid",
        "noexec",
        "newinstance",
        "ptmxmode=0666",
        "mode=0620",
        "gid=5",
      ]),
      mount("/dev/shm", "tmpfs", "shm", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
      mount("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
      mount("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
      mount("/run", "tmpfs", "tmpfs", tmpfs),
    ],
    linux: {
      resources: { devices: [{ allow: false, access: "rwm" }] },
      cgroupsPath: `/${namespace}`,
      namespaces: ["pid", "ipc", "uts", "mount", "network"].map((type) => ({ type })),
      maskedPaths: [
        "/proc/acpi",
        "/proc/asound",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
        "/proc/scsi",
      ],
      readonlyPaths: ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
}

/** A JSON value with every object's keys sorted, as a Go map marshals. */
export function sortedKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortedKeys(value[k]!)]),
  );
}

function isObject(v: unknown): v is { [key: string]: Json } {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** The config's overrides: the CRIBaseRuntimeSpecConfig document's, else v1alpha1's. */
export function runtimeSpecOverrides(config: MachineConfig | undefined): { [key: string]: Json } | undefined {
  if (!config) return undefined;
  const document = config.documents.documents.find((d) => d.kind === "CRIBaseRuntimeSpecConfig");
  const fromDocument = isObject(document?.data) ? document.data.overrides : undefined;
  if (isObject(fromDocument) && Object.keys(fromDocument).length > 0) return fromDocument;
  const machine = (
    legacyDocument(config)?.data as { machine?: { baseRuntimeSpecOverrides?: unknown } } | undefined
  )?.machine;
  const legacy = machine?.baseRuntimeSpecOverrides;
  return isObject(legacy) && Object.keys(legacy).length > 0 ? legacy : undefined;
}

const runtimeSpec: Controller<MachineSource> = {
  name: "cri.RuntimeSpecConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const object = (value: Json) =>
      spec(BaseRuntimeSpecConfigSpecSchema, { object: sortedKeys(value) as never });
    put(BASE_RUNTIME_SPEC_CONFIG, NS.cri, "default", object(defaultRuntimeSpec()));
    const overrides = runtimeSpecOverrides(source.active());
    if (overrides) put(BASE_RUNTIME_SPEC_CONFIG, NS.cri, "overrides", object(overrides));
  },
};

export const CRI_RUNTIME_SPEC_CONTROLLERS: readonly Controller<MachineSource>[] = [runtimeSpec];
