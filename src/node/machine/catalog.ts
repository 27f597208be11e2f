// Which services a node runs, by platform mode and machine type, with each one's runner,
// dependencies and health check as Talos defines them (siderolabs/talos:
// internal/app/machined/pkg/system/services/).
import type { PlatformMode } from "../platform/index.js";
import { hasEtcd, hasKubernetes, isControlPlane, type MachineConfig } from "./config.js";
import type { ServiceDefinition } from "./services.js";

const NO_API = { start: false, stop: false, restart: false } as const;

function service(
  id: string,
  runner: ServiceDefinition["runner"],
  options: Partial<Omit<ServiceDefinition, "id" | "runner">> = {},
): ServiceDefinition {
  return {
    id,
    runner,
    dependsOn: options.dependsOn ?? [],
    healthCheck: options.healthCheck ?? true,
    startMs: options.startMs ?? 300,
    api: options.api ?? NO_API,
  };
}

export const SERVICES = {
  machined: service("machined", { kind: "goroutine" }, { startMs: 50 }),
  udevd: service(
    "udevd",
    { kind: "process", args: ["/sbin/udevd", "--resolve-names=never"] },
    { startMs: 200 },
  ),
  containerd: service(
    "containerd",
    {
      kind: "process",
      args: [
        "/bin/containerd",
        "--address",
        "/system/run/containerd/containerd.sock",
        "--state",
        "/system/run/containerd",
        "--root",
        "/system/var/lib/containerd",
      ],
    },
    { startMs: 300 },
  ),
  apid: service("apid", { kind: "container" }, { dependsOn: ["containerd"], startMs: 300 }),
  auditd: service("auditd", { kind: "goroutine" }, { startMs: 50 }),
  syslogd: service("syslogd", { kind: "goroutine" }, { dependsOn: ["machined"], startMs: 50 }),
  dashboard: service(
    "dashboard",
    { kind: "process", args: ["/sbin/dashboard"] },
    { dependsOn: ["machined"], healthCheck: false, startMs: 100 },
  ),
  cri: service(
    "cri",
    {
      kind: "process",
      args: [
        "/bin/containerd",
        "--address",
        "/run/containerd/containerd.sock",
        "--config",
        "/etc/cri/containerd.toml",
      ],
    },
    { startMs: 400 },
  ),
  trustd: service("trustd", { kind: "container" }, { dependsOn: ["containerd"], startMs: 300 }),
  etcd: service("etcd", { kind: "container" }, { dependsOn: ["cri"], startMs: 1_500 }),
  kubelet: service(
    "kubelet",
    { kind: "container" },
    { dependsOn: ["cri"], startMs: 800, api: { start: true, stop: false, restart: true } },
  ),
} as const satisfies Record<string, ServiceDefinition>;

/** Services started by the `initialize` sequence's early phase (the maintenance set). */
export function earlyServices(mode: PlatformMode): ServiceDefinition[] {
  if (mode === "container") return [SERVICES.apid, SERVICES.machined, SERVICES.containerd];
  return [
    SERVICES.machined,
    SERVICES.udevd,
    SERVICES.apid,
    SERVICES.auditd,
    SERVICES.syslogd,
    SERVICES.containerd,
  ];
}

export interface BootServiceOptions {
  readonly mode: PlatformMode;
  readonly controlPlane: boolean;
  /** Kubernetes is configured (a cluster section): kubelet runs. */
  readonly kubernetes: boolean;
  /** The config carries an etcd CA: etcd runs on control planes. */
  readonly etcd: boolean;
}

/** Services `startAllServices` (and the controllers it stands for) bring up after boot. */
export function bootServices(options: BootServiceOptions): ServiceDefinition[] {
  const out: ServiceDefinition[] = [SERVICES.cri];
  if (options.controlPlane) {
    out.push(SERVICES.trustd);
    if (options.etcd) out.push(SERVICES.etcd);
  }
  if (options.kubernetes) out.push(SERVICES.kubelet);
  return out;
}

/** Services that must be up for the machine to be ready (MachineStatus's `services` condition). */
export function requiredServices(options: BootServiceOptions): string[] {
  const out = ["apid", "machined"];
  if (options.kubernetes) {
    out.push("kubelet");
    if (options.controlPlane && options.etcd) out.push("etcd");
  }
  if (options.controlPlane) out.push("trustd");
  return out;
}

/** Which boot services a machine in this platform mode runs with this config. */
export function bootServiceOptions(
  mode: PlatformMode,
  active: MachineConfig | undefined,
): BootServiceOptions {
  return {
    mode,
    controlPlane: isControlPlane(active),
    kubernetes: hasKubernetes(active),
    etcd: hasEtcd(active),
  };
}
