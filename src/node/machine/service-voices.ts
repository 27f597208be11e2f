// What each emulated service writes to its own log, in the style its real counterpart uses
// (Go's log package, containerd's logfmt, etcd's JSON, the kubelet's klog): lines when it
// starts, becomes healthy and stops, and a periodic trickle while it runs.
import { DEFAULT_KUBERNETES_VERSION } from "../../version.js";
import { API_PORT, DEFAULT_ETCD_VERSION, TRUSTD_PORT } from "../../wire/index.js";

export interface VoiceContext {
  readonly now: Date;
  readonly id: string;
  readonly pid: number | undefined;
  readonly hostname: string;
  readonly address: string;
  readonly talosVersion: string;
  /** Whether the emulated Kubernetes control plane answers yet. */
  readonly kubernetesReady: boolean;
  readonly controlPlane: boolean;
  /** How many trickle ticks came before this one (for variety). */
  readonly tick: number;
}

export interface ServiceVoice {
  start(ctx: VoiceContext): string[];
  healthy(ctx: VoiceContext): string[];
  stop(ctx: VoiceContext): string[];
  /** Machine milliseconds between trickle lines while running (none when absent). */
  readonly trickleMs?: number;
  trickle?(ctx: VoiceContext): string[];
}

/** The default versions of Kubernetes and etcd: those `gen config` writes into a config. */
export const KUBERNETES_VERSION = `v${DEFAULT_KUBERNETES_VERSION}`;
export const ETCD_VERSION = `v${DEFAULT_ETCD_VERSION}`;
export const CONTAINERD_VERSION = "v2.1.4";

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Go's log package with date, time and microseconds (local time). */
function goLog(now: Date, message: string): string {
  return (
    `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())} ` +
    `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}.${pad(now.getMilliseconds() * 1000, 6)} ${message}`
  );
}

/** RFC 3339 with nanoseconds (the sub-millisecond digits come from the process's fine clock). */
function isoNano(now: Date): string {
  return `${now.toISOString().slice(0, 23)}${pad(Number(process.hrtime.bigint() % 1_000_000n), 6)}Z`;
}

/** containerd's logfmt lines. */
function logfmt(now: Date, level: string, msg: string, fields: Record<string, string> = {}): string {
  const extra = Object.entries(fields)
    .map(([k, v]) => ` ${k}=${/[\s"=]/.test(v) ? JSON.stringify(v) : v}`)
    .join("");
  return `time="${isoNano(now)}" level=${level} msg=${JSON.stringify(msg)}${extra}`;
}

/** etcd's structured JSON lines. */
function zap(
  now: Date,
  level: string,
  caller: string,
  msg: string,
  fields: Record<string, unknown> = {},
): string {
  return JSON.stringify({ level, ts: now.toISOString().replace("Z", "000Z"), caller, msg, ...fields });
}

/** klog lines: `I0821 10:00:03.123456    1234 file.go:42] "message" key="value"`. */
function klog(
  now: Date,
  severity: "I" | "W" | "E",
  pid: number | undefined,
  where: string,
  msg: string,
  fields: Record<string, string> = {},
): string {
  const stamp =
    `${severity}${pad(now.getUTCMonth() + 1)}${pad(now.getUTCDate())} ` +
    `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}.${pad(now.getUTCMilliseconds() * 1000, 6)}`;
  const extra = Object.entries(fields)
    .map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)
    .join("");
  return `${stamp} ${String(pid ?? 0).padStart(7)} ${where}] ${JSON.stringify(msg)}${extra}`;
}

const quiet: Pick<ServiceVoice, "healthy" | "stop"> = {
  healthy: () => [],
  stop: () => [],
};

const apid: ServiceVoice = {
  start: (c) => [
    goLog(c.now, `apid: starting, Talos ${c.talosVersion}`),
    goLog(c.now, "apid: waiting for the API certificates"),
    goLog(c.now, `apid: certificates ready, listening on [::]:${API_PORT}`),
  ],
  healthy: (c) => [goLog(c.now, "apid: connected to machined on /system/run/machined/machine.sock")],
  stop: (c) => [goLog(c.now, "apid: signal received, draining connections")],
  trickleMs: 60_000,
  trickle: (c) => [goLog(c.now, `apid: refreshed client CA pool (${1 + (c.tick % 2)} certificates)`)],
};

const trustd: ServiceVoice = {
  start: (c) => [
    goLog(c.now, `trustd: starting, Talos ${c.talosVersion}`),
    goLog(c.now, `trustd: listening on [::]:${TRUSTD_PORT}`),
  ],
  healthy: () => [],
  stop: (c) => [goLog(c.now, "trustd: shutting down")],
  trickleMs: 120_000,
  trickle: (c) => [goLog(c.now, `trustd: certificate signing requests served: ${c.tick * 2}`)],
};

function containerdVoice(kind: "system" | "cri"): ServiceVoice {
  const socket =
    kind === "system" ? "/system/run/containerd/containerd.sock" : "/run/containerd/containerd.sock";
  return {
    start: (c) => [
      logfmt(c.now, "info", "starting containerd", { revision: "1b7a4c2e8d", version: CONTAINERD_VERSION }),
      logfmt(c.now, "info", "loading plugin", { id: "io.containerd.snapshotter.v1.overlayfs" }),
      logfmt(c.now, "info", "loading plugin", { id: "io.containerd.runtime.v2.task" }),
      ...(kind === "cri"
        ? [
            logfmt(c.now, "info", "loading plugin", { id: "io.containerd.grpc.v1.cri" }),
            logfmt(c.now, "info", "starting cri plugin", { config: "/etc/cri/containerd.toml" }),
          ]
        : []),
      logfmt(c.now, "info", "serving...", { address: socket }),
      logfmt(c.now, "info", "containerd successfully booted", { duration: "0.18s" }),
    ],
    healthy: () => [],
    stop: (c) => [
      logfmt(c.now, "info", "stop pulling images and shutting down plugins"),
      logfmt(c.now, "info", "containerd stopped"),
    ],
    trickleMs: kind === "cri" ? 45_000 : 90_000,
    trickle: (c) => [
      logfmt(c.now, "info", "garbage collection finished", {
        duration: `${(0.8 + (c.tick % 5) * 0.3).toFixed(1)}ms`,
        removed: String(c.tick % 3),
      }),
    ],
  };
}

const etcd: ServiceVoice = {
  start: (c) => [
    zap(c.now, "info", "etcdmain/etcd.go:64", "starting etcd", {
      "etcd-version": ETCD_VERSION.slice(1),
      name: c.hostname,
    }),
    zap(c.now, "info", "embed/etcd.go:140", "configuring peer listeners", {
      "listen-peer-urls": [`https://${c.address}:2380`],
    }),
    zap(c.now, "info", "embed/etcd.go:148", "configuring client listeners", {
      "listen-client-urls": [`https://${c.address}:2379`, "https://127.0.0.1:2379"],
    }),
    zap(c.now, "info", "etcdserver/server.go:760", "starting etcd server", { "data-dir": "/var/lib/etcd" }),
  ],
  healthy: (c) => [
    zap(c.now, "info", "raft/raft.go:900", "became leader", { term: 2 }),
    zap(c.now, "info", "etcdserver/server.go:2080", "published local member to cluster through raft", {
      "local-member-name": c.hostname,
    }),
    zap(c.now, "info", "embed/serve.go:250", "serving client traffic securely", {
      address: `${c.address}:2379`,
    }),
  ],
  stop: (c) => [
    zap(c.now, "info", "osutil/interrupt_unix.go:64", "received signal; shutting down", {
      signal: "terminated",
    }),
    zap(c.now, "info", "embed/etcd.go:390", "closed etcd server", { name: c.hostname }),
  ],
  trickleMs: 30_000,
  trickle: (c) => [
    zap(c.now, "info", "mvcc/index.go:214", "compact tree index", { revision: 1200 + c.tick * 37 }),
  ],
};

const kubelet: ServiceVoice = {
  start: (c) => [
    klog(c.now, "I", c.pid, "server.go:493", "Kubelet version", { kubeletVersion: KUBERNETES_VERSION }),
    klog(c.now, "I", c.pid, "server.go:495", "Golang settings", { GOGC: "", GOMAXPROCS: "" }),
    klog(c.now, "I", c.pid, "dynamic_cafile_content.go:161", "Starting controller", {
      name: "client-ca-bundle::/etc/kubernetes/pki/ca.crt",
    }),
    klog(c.now, "I", c.pid, "kubelet.go:480", "Attempting to sync node with API server"),
  ],
  healthy: (c) => [
    klog(c.now, "I", c.pid, "kubelet.go:2412", "Starting kubelet main sync loop"),
    klog(c.now, "I", c.pid, "server.go:162", "Starting to listen", { address: "0.0.0.0", port: "10250" }),
  ],
  stop: (c) => [klog(c.now, "I", c.pid, "kubelet.go:1702", "Shutting down kubelet")],
  trickleMs: 10_000,
  trickle: (c) =>
    c.kubernetesReady
      ? [
          klog(c.now, "I", c.pid, "kubelet_node_status.go:75", "Successfully updated node status", {
            node: c.hostname,
          }),
        ]
      : [
          klog(c.now, "E", c.pid, "kubelet_node_status.go:107", "Unable to register node with API server", {
            err: 'Post "https://127.0.0.1:6443/api/v1/nodes": dial tcp 127.0.0.1:6443: connect: connection refused',
            node: c.hostname,
          }),
        ],
};

const udevd: ServiceVoice = {
  ...quiet,
  start: (c) => [
    `udevd[${c.pid ?? 0}]: starting eudev-3.2.14`,
    `udevd[${c.pid ?? 0}]: processing coldplug events`,
  ],
  healthy: (c) => [`udevd[${c.pid ?? 0}]: coldplug done, 214 devices settled`],
};

const auditd: ServiceVoice = {
  ...quiet,
  start: (c) => [`type=2000 audit(${auditStamp(c.now)}:1): state=initialized audit_enabled=1 res=1`],
  trickleMs: 15_000,
  trickle: (c) => [
    `type=1300 audit(${auditStamp(c.now)}:${100 + c.tick}): arch=c000003e syscall=59 success=yes exit=0 pid=${2000 + c.tick} comm="runc"`,
  ],
};

function auditStamp(now: Date): string {
  return (now.getTime() / 1000).toFixed(3);
}

const syslogd: ServiceVoice = {
  ...quiet,
  start: (c) => [syslog(c, "syslogd", "listening on /dev/log")],
  trickleMs: 20_000,
  trickle: (c) => [syslog(c, "ntpd", `adjusting clock by ${((c.tick % 7) * 0.13).toFixed(2)}ms`)],
};

function syslog(c: VoiceContext, tag: string, msg: string): string {
  return JSON.stringify({ facility: "daemon", hostname: c.hostname, msg, priority: "info", tag, ts: c.now });
}

const dashboard: ServiceVoice = {
  ...quiet,
  start: (c) => [goLog(c.now, "dashboard: drawing on /dev/tty2")],
};

const VOICES: Readonly<Record<string, ServiceVoice>> = {
  apid,
  trustd,
  containerd: containerdVoice("system"),
  cri: containerdVoice("cri"),
  etcd,
  kubelet,
  udevd,
  auditd,
  syslogd,
  dashboard,
};

/** The voice of a service (machined has none: its log is machined's own log lines). */
export function voiceOf(id: string): ServiceVoice | undefined {
  return VOICES[id];
}
