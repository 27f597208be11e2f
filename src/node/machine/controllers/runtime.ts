// Runtime resources as Talos's runtime controllers publish them (siderolabs/talos:
// internal/app/machined/pkg/controllers/runtime): the version, boot id and kernel command line,
// kernel parameters (Talos's defaults and the config's sysctls) and modules, META keys, the
// security state, platform metadata, devices status and mounts (the maintenance service's config
// is in runtime-config.ts).

import {
  RuntimeKernelModuleState,
  RuntimeKernelModuleType,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import {
  APIServiceConfigSpecSchema,
  BootIDSpecSchema,
  DevicesStatusSpecSchema,
  KernelCmdlineSpecSchema,
  KernelModuleSpecSpecSchema,
  KernelModuleStatusSpecSchema,
  KernelParamSpecSpecSchema,
  KernelParamStatusSpecSchema,
  LoadedKernelModuleSpecSchema,
  MetaKeySpecSchema,
  MetaLoadedSpecSchema,
  MountStatusSpecSchema,
  PlatformMetadataSpecSchema,
  SecurityStateSpecSchema,
  VersionSpecSchema,
} from "../../../gen/resource/definitions/runtime/runtime_pb.js";
import { API_PORT, TRUSTD_PORT } from "../../../wire/index.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import { isComplete } from "../config.js";
import { kernelCmdline } from "../kernel-transcript.js";
import { configKernelModules, configSysctls } from "./config-facts.js";
import { INPUT, type MachineSource } from "./source.js";

export const API_SERVICE_CONFIG = messageKind(
  "APIServiceConfigs.runtime.talos.dev",
  APIServiceConfigSpecSchema,
);
export const VERSION = messageKind("Versions.runtime.talos.dev", VersionSpecSchema);
export const BOOT_ID = messageKind("BootIDs.runtime.talos.dev", BootIDSpecSchema);
export const KERNEL_CMDLINE = messageKind("KernelCmdlines.runtime.talos.dev", KernelCmdlineSpecSchema);
export const KERNEL_PARAM_DEFAULT = messageKind(
  "KernelParamDefaultSpecs.runtime.talos.dev",
  KernelParamSpecSpecSchema,
);
export const KERNEL_PARAM_SPEC = messageKind("KernelParamSpecs.runtime.talos.dev", KernelParamSpecSpecSchema);
export const KERNEL_PARAM_STATUS = messageKind(
  "KernelParamStatuses.runtime.talos.dev",
  KernelParamStatusSpecSchema,
);
export const KERNEL_MODULE_SPEC = messageKind(
  "KernelModuleSpecs.runtime.talos.dev",
  KernelModuleSpecSpecSchema,
);
export const KERNEL_MODULE_STATUS = messageKind(
  "KernelModuleStatuses.runtime.talos.dev",
  KernelModuleStatusSpecSchema,
);
/** The deprecated view of the same modules, which Talos still fills. */
export const LOADED_KERNEL_MODULE = messageKind(
  "LoadedKernelModules.runtime.talos.dev",
  LoadedKernelModuleSpecSchema,
);
export const META_KEY = messageKind("MetaKeys.runtime.talos.dev", MetaKeySpecSchema);
export const META_LOADED = messageKind("MetaLoads.runtime.talos.dev", MetaLoadedSpecSchema);
export const SECURITY_STATE = messageKind("SecurityStates.talos.dev", SecurityStateSpecSchema);
export const PLATFORM_METADATA = messageKind("PlatformMetadatas.talos.dev", PlatformMetadataSpecSchema);
export const DEVICES_STATUS = messageKind("DevicesStatuses.runtime.talos.dev", DevicesStatusSpecSchema);
export const MOUNT_STATUS = messageKind("MountStatuses.runtime.talos.dev", MountStatusSpecSchema);

const version: Controller<MachineSource> = {
  name: "runtime.VersionController",
  inputs: [],
  run({ source, put }) {
    put(
      VERSION,
      NS.runtime,
      "version",
      spec(VersionSpecSchema, { name: "Talos", version: source.talosVersion }),
    );
  },
};

const bootId: Controller<MachineSource> = {
  name: "runtime.BootIDController",
  inputs: [],
  run({ source, put }) {
    put(BOOT_ID, NS.runtime, "boot-id", spec(BootIDSpecSchema, { bootId: source.bootId }));
  },
};

const cmdline: Controller<MachineSource> = {
  name: "runtime.KernelCmdlineController",
  inputs: [],
  run({ source, put }) {
    put(
      KERNEL_CMDLINE,
      NS.runtime,
      "cmdline",
      spec(KernelCmdlineSpecSchema, { cmdline: kernelCmdline(source.platform.name) }),
    );
  },
};

/**
 * The parameters Talos sets on every boot (siderolabs/talos:
 * internal/app/machined/pkg/controllers/runtime/kernel_param_defaults.go), with the value the
 * kernel had before.
 */
function defaultParams(container: boolean): [key: string, value: string, kernelDefault: string][] {
  return [
    ["proc.sys.net.ipv4.ip_forward", "1", "0"],
    ["proc.sys.net.ipv4.icmp_ignore_bogus_error_responses", "1", "1"],
    ["proc.sys.net.ipv4.icmp_echo_ignore_broadcasts", "1", "1"],
    ["proc.sys.net.ipv4.conf.all.send_redirects", "0", "1"],
    ["proc.sys.net.ipv4.conf.default.send_redirects", "0", "1"],
    ["proc.sys.net.ipv4.ip_local_reserved_ports", `${API_PORT},${TRUSTD_PORT}`, ""],
    ...(container
      ? []
      : ([
          ["proc.sys.net.bridge.bridge-nf-call-iptables", "1", "0"],
          ["proc.sys.net.bridge.bridge-nf-call-ip6tables", "1", "0"],
          ["proc.sys.kernel.ctrl-alt-del", "0", "0"],
        ] as [string, string, string][])),
    ["proc.sys.net.ipv6.conf.default.forwarding", "1", "0"],
    ["proc.sys.net.ipv6.conf.default.accept_ra", "2", "1"],
    ["proc.sys.net.ipv4.tcp_keepalive_time", "600", "7200"],
    ["proc.sys.net.ipv4.tcp_keepalive_intvl", "60", "75"],
    ["proc.sys.kernel.panic", "10", "0"],
    ["proc.sys.kernel.pid_max", "262144", "4194304"],
    ["proc.sys.vm.overcommit_memory", "1", "0"],
    ["proc.sys.fs.inotify.max_user_instances", "8192", "128"],
    ["proc.sys.fs.aio-max-nr", "1048576", "65536"],
  ];
}

const kernelParamDefaults: Controller<MachineSource> = {
  name: "runtime.KernelParamDefaultsController",
  inputs: [],
  run({ source, put }) {
    for (const [key, value] of defaultParams(source.platform.mode === "container")) {
      put(KERNEL_PARAM_DEFAULT, NS.runtime, key, spec(KernelParamSpecSpecSchema, { value }));
    }
  },
};

const kernelParamConfig: Controller<MachineSource> = {
  name: "runtime.KernelParamConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    for (const [key, value] of configSysctls(source.active())) {
      put(KERNEL_PARAM_SPEC, NS.runtime, `proc.sys.${key}`, spec(KernelParamSpecSpecSchema, { value }));
    }
  },
};

/** What the kernel's parameters are now: the config's values over Talos's defaults. */
const kernelParamStatus: Controller<MachineSource> = {
  name: "runtime.KernelParamSpecController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const current = new Map<string, { value: string; kernelDefault: string }>();
    for (const [key, value, kernelDefault] of defaultParams(source.platform.mode === "container")) {
      current.set(key, { value, kernelDefault });
    }
    for (const [key, value] of configSysctls(source.active())) {
      const id = `proc.sys.${key}`;
      current.set(id, { value, kernelDefault: current.get(id)?.kernelDefault ?? "" });
    }
    for (const [id, p] of current) {
      put(
        KERNEL_PARAM_STATUS,
        NS.runtime,
        id,
        spec(KernelParamStatusSpecSchema, { current: p.value, default: p.kernelDefault }),
      );
    }
  },
};

const kernelModules: Controller<MachineSource> = {
  name: "runtime.KernelModuleConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    for (const m of configKernelModules(source.active())) {
      put(
        KERNEL_MODULE_SPEC,
        NS.runtime,
        m.name,
        spec(KernelModuleSpecSpecSchema, { name: m.name, parameters: m.parameters }),
      );
    }
  },
};

/**
 * Modules the emulated kernel has loaded: the virtio drivers and what the config asks for, as
 * KernelModuleStatuses and the deprecated LoadedKernelModules.
 */
const kernelModuleStatus: Controller<MachineSource> = {
  name: "runtime.KernelModuleStatusController",
  inputs: [INPUT.config],
  run({ source, put }) {
    if (source.platform.mode === "container") return;
    const loaded = new Map<string, { size: number; deps: string[] }>([
      ["virtio_net", { size: 73_728, deps: ["net_failover"] }],
      ["net_failover", { size: 24_576, deps: ["failover"] }],
      ["failover", { size: 12_288, deps: [] }],
      ["virtio_blk", { size: 32_768, deps: [] }],
    ]);
    for (const m of configKernelModules(source.active()))
      if (!loaded.has(m.name)) loaded.set(m.name, { size: 16_384, deps: [] });
    let address = 0xffffffffc0000000n;
    for (const [name, m] of [...loaded].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const users = [...loaded.values()].filter((o) => o.deps.includes(name)).length;
      put(
        KERNEL_MODULE_STATUS,
        NS.runtime,
        name,
        spec(KernelModuleStatusSpecSchema, {
          type: RuntimeKernelModuleType.KERNEL_MODULE_TYPE_DYNAMIC,
          size: BigInt(m.size),
          referenceCount: BigInt(users),
          dependencies: m.deps,
          state: RuntimeKernelModuleState.KERNEL_MODULE_STATE_LIVE,
          address: `0x${address.toString(16)}`,
        }),
      );
      put(
        LOADED_KERNEL_MODULE,
        NS.runtime,
        name,
        spec(LoadedKernelModuleSpecSchema, {
          size: BigInt(m.size),
          referenceCount: BigInt(users),
          dependencies: m.deps,
          state: "Live",
          address: `0x${address.toString(16)}`,
        }),
      );
      address += 0x10000n;
    }
  },
};

/** META tags by number, as Talos names its keys (`0x0a`). */
export function metaKeyId(tag: number): string {
  return `0x${tag.toString(16).padStart(2, "0")}`;
}

const metaLoaded: Controller<MachineSource> = {
  name: "runtime.MetaLoadController",
  inputs: [],
  run({ put }) {
    put(META_LOADED, NS.runtime, "meta-loaded", spec(MetaLoadedSpecSchema, { done: true }));
  },
};

/** META keys: Talos writes them to the state as the META is loaded or written, with no owner. */
const metaKeys: Controller<MachineSource> = {
  name: "runtime.MetaKeys",
  owner: "",
  inputs: [INPUT.meta],
  run({ source, put }) {
    for (const [tag, value] of source.meta())
      put(META_KEY, NS.runtime, metaKeyId(tag), spec(MetaKeySpecSchema, { value }));
  },
};

const securityState: Controller<MachineSource> = {
  name: "runtime.SecurityStateController",
  inputs: [],
  run({ source, put }) {
    if (source.platform.mode === "container") return;
    put(SECURITY_STATE, NS.runtime, "securitystate", spec(SecurityStateSpecSchema, { secureBoot: false }));
  },
};

const platformMetadata: Controller<MachineSource> = {
  name: "network.PlatformConfigController",
  inputs: [],
  run({ source, put }) {
    put(
      PLATFORM_METADATA,
      NS.runtime,
      "platformmetadata",
      spec(PlatformMetadataSpecSchema, {
        platform: source.platform.name,
        ...(source.hostnameFlag ? { hostname: source.hostnameFlag } : {}),
      }),
    );
  },
};

const devicesStatus: Controller<MachineSource> = {
  name: "runtime.DevicesStatusController",
  inputs: [],
  run({ put }) {
    put(DEVICES_STATUS, NS.runtime, "devices", spec(DevicesStatusSpecSchema, { ready: true }));
  },
};

/** Mounted system volumes (`talosctl get mounts`). */
const mountStatus: Controller<MachineSource> = {
  name: "runtime.MountStatusController",
  inputs: [INPUT.boot],
  run({ source, put }) {
    const rows = source.hardware.mounts(source.now(), source.mounted());
    for (const row of rows) {
      if (!row.filesystem.startsWith("/dev/")) continue;
      const id =
        row.mountedOn === "/var" ? "EPHEMERAL" : row.mountedOn === "/system/state" ? "STATE" : row.mountedOn;
      put(
        MOUNT_STATUS,
        NS.runtime,
        id,
        spec(MountStatusSpecSchema, {
          source: row.filesystem,
          target: row.mountedOn,
          filesystemType: "xfs",
          options: ["rw", "relatime", "attr2", "inode64", "logbufs=8", "logbsize=32k", "noquota"],
        }),
      );
    }
  },
};

/**
 * How apid serves: in maintenance mode without client certificates, read-only and without
 * routing; once configured, with mutual TLS and routing.
 */
const apiServiceConfig: Controller<MachineSource> = {
  name: "runtime.APIServiceConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const maintenance = !isComplete(source.active());
    put(
      API_SERVICE_CONFIG,
      NS.runtime,
      "apid",
      spec(APIServiceConfigSpecSchema, {
        listenAddress: `:${API_PORT}`,
        nodeRoutingDisabled: maintenance,
        readonlyRoleMode: maintenance,
        skipVerifyingClientCert: maintenance,
      }),
    );
  },
};

export const RUNTIME_CONTROLLERS: readonly Controller<MachineSource>[] = [
  version,
  bootId,
  cmdline,
  kernelParamDefaults,
  kernelParamConfig,
  kernelParamStatus,
  kernelModules,
  kernelModuleStatus,
  metaLoaded,
  metaKeys,
  securityState,
  platformMetadata,
  devicesStatus,
  mountStatus,
  apiServiceConfig,
];
