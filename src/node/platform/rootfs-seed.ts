// The layout of the emulated root filesystem: what a Talos node's `/` holds that operators
// look at (configuration under /etc and /system, logs and state under /var, /proc). Created
// inside the STATE directory at the first boot; later boots add whatever is missing and never
// touch what is there.
import fs from "node:fs";
import path from "node:path";
import { ROOTFS_DIR, RootFs } from "./rootfs.js";

type Seed =
  | { readonly dir: string; readonly mode?: number }
  | { readonly file: string; readonly content: string; readonly mode?: number }
  /** A file of `size` bytes that begins with `content` (the rest a hole, so it costs no disk). */
  | { readonly file: string; readonly content: string; readonly size: number; readonly mode?: number }
  | { readonly link: string; readonly target: string };

/** Paths whose bytes the machine supplies when read (an empty placeholder is created). */
export const LIVE_PATHS = [
  "/etc/hostname",
  "/etc/hosts",
  "/etc/resolv.conf",
  "/etc/os-release",
  "/etc/machine-id",
  "/proc/cmdline",
  "/proc/cpuinfo",
  "/proc/loadavg",
  "/proc/meminfo",
  "/proc/mounts",
  "/proc/stat",
  "/proc/uptime",
  "/proc/version",
  "/proc/sys/kernel/random/boot_id",
  "/system/state/config.yaml",
] as const;
export type LivePath = (typeof LIVE_PATHS)[number];

const CRI_CONFIG = `version = 3

[plugins."io.containerd.cri.v1.images"]
  discard_unpacked_layers = true

[plugins."io.containerd.cri.v1.runtime".containerd]
  default_runtime_name = "runc"

[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
`;

const SYSTEM_CONTAINERD_CONFIG = `version = 3
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "/system/run/containerd/containerd.sock"
`;

const KUBELET_CONFIG = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
authorization:
  mode: Webhook
cgroupRoot: /
clusterDNS:
  - 10.96.0.10
clusterDomain: cluster.local
rotateCertificates: true
staticPodPath: /etc/kubernetes/manifests
`;

const CRI_CUSTOMIZATION = "# CRI configuration parts from the machine config are merged here\n";

const SYSTEM_RESOLV = "nameserver 127.0.0.53\n";

/** A content blob's name in containerd's store (a sha256 digest of a fixed seed). */
const BLOB = "5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";
const SNAPSHOTS = "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots";

/** A stand-in executable: an ELF magic and a note, so `read` shows something binary-looking. */
function executable(name: string): string {
  return `\u007fELF\u0002\u0001\u0001\u0000emulated ${name} binary\n`;
}

const SEEDS: readonly Seed[] = [
  { dir: "/bin" },
  { dir: "/dev" },
  { dir: "/etc" },
  { dir: "/etc/cri" },
  { file: "/etc/cri/containerd.toml", content: CRI_CONFIG },
  { dir: "/etc/cri/conf.d" },
  { dir: "/etc/containerd" },
  { file: "/etc/containerd/config.toml", content: SYSTEM_CONTAINERD_CONFIG },
  { dir: "/etc/kubernetes" },
  { dir: "/etc/kubernetes/manifests" },
  { dir: "/etc/ssl" },
  { dir: "/etc/ssl/certs" },
  { file: "/etc/nsswitch.conf", content: "hosts: files dns\n" },
  { dir: "/opt" },
  { dir: "/proc", mode: 0o755 },
  { dir: "/run" },
  { dir: "/sbin" },
  { file: "/sbin/init", content: executable("init"), mode: 0o755 },
  { file: "/sbin/udevd", content: executable("udevd"), mode: 0o755 },
  { file: "/sbin/dashboard", content: executable("dashboard"), mode: 0o755 },
  { dir: "/etc/cni" },
  { dir: "/etc/cni/net.d" },
  { file: "/etc/cri/conf.d/20-customization.part", content: CRI_CUSTOMIZATION },
  { dir: "/etc/kubernetes/pki" },
  { file: "/etc/kubernetes/kubelet.yaml", content: KUBELET_CONFIG },
  {
    file: "/etc/ssl/certs/ca-certificates.crt",
    content: "# the system's trusted CA bundle\n",
    size: 221_184,
  },
  { dir: "/system" },
  { dir: "/system/etc" },
  { file: "/system/etc/resolv.conf", content: SYSTEM_RESOLV },
  { dir: "/system/libexec" },
  { dir: "/system/overlays" },
  { dir: "/system/run" },
  { dir: "/system/run/machined" },
  { dir: "/system/run/containerd" },
  { dir: "/system/run/trustd" },
  { dir: "/system/secrets", mode: 0o700 },
  { dir: "/system/secrets/etcd", mode: 0o700 },
  { dir: "/system/secrets/kubernetes", mode: 0o700 },
  { dir: "/system/secrets/kubernetes/kube-apiserver", mode: 0o700 },
  { dir: "/system/secrets/kubernetes/kube-controller-manager", mode: 0o700 },
  { dir: "/system/secrets/kubernetes/kube-scheduler", mode: 0o700 },
  { dir: "/system/secrets/trustd", mode: 0o700 },
  { dir: "/system/state" },
  { dir: "/system/var" },
  { dir: "/system/var/lib" },
  { dir: "/system/var/lib/containerd" },
  { dir: "/system/var/lib/containerd/io.containerd.content.v1.content" },
  { dir: "/system/var/lib/containerd/io.containerd.content.v1.content/blobs" },
  { dir: "/system/var/lib/containerd/io.containerd.content.v1.content/blobs/sha256" },
  {
    file: `/system/var/lib/containerd/io.containerd.content.v1.content/blobs/sha256/${BLOB}`,
    content: "",
    size: 1_536,
  },
  { dir: "/system/var/lib/containerd/io.containerd.metadata.v1.bolt" },
  { file: "/system/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db", content: "", size: 32_768 },
  { dir: "/tmp" },
  { dir: "/usr" },
  { dir: "/usr/bin" },
  { file: "/usr/bin/containerd", content: executable("containerd"), mode: 0o755 },
  { file: "/usr/bin/containerd-shim-runc-v2", content: executable("containerd-shim-runc-v2"), mode: 0o755 },
  { file: "/usr/bin/runc", content: executable("runc"), mode: 0o755 },
  { dir: "/usr/lib" },
  { dir: "/usr/local" },
  { dir: "/usr/local/lib" },
  { dir: "/usr/local/lib/containers" },
  { link: "/lib", target: "usr/lib" },
  { dir: "/var" },
  { dir: "/var/etc" },
  { dir: "/var/lib" },
  { dir: "/var/lib/cni" },
  { dir: "/var/lib/containerd" },
  { dir: "/var/lib/containerd/io.containerd.content.v1.content" },
  { dir: "/var/lib/containerd/io.containerd.content.v1.content/blobs" },
  { dir: "/var/lib/containerd/io.containerd.content.v1.content/blobs/sha256" },
  {
    file: `/var/lib/containerd/io.containerd.content.v1.content/blobs/sha256/${BLOB}`,
    content: "",
    size: 1_536,
  },
  { dir: "/var/lib/containerd/io.containerd.metadata.v1.bolt" },
  { file: "/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db", content: "", size: 65_536 },
  { dir: "/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs" },
  { dir: SNAPSHOTS },
  { dir: `${SNAPSHOTS}/1` },
  { dir: `${SNAPSHOTS}/1/fs` },
  { dir: `${SNAPSHOTS}/1/fs/etc` },
  { file: `${SNAPSHOTS}/1/fs/etc/os-release`, content: 'NAME="Distroless"\n' },
  { dir: `${SNAPSHOTS}/1/fs/usr` },
  { dir: `${SNAPSHOTS}/1/fs/usr/local` },
  { dir: `${SNAPSHOTS}/1/fs/usr/local/bin` },
  { file: `${SNAPSHOTS}/1/fs/usr/local/bin/pause`, content: executable("pause"), size: 514_000, mode: 0o755 },
  { dir: `${SNAPSHOTS}/1/work` },
  { dir: "/var/lib/etcd" },
  { dir: "/var/lib/kubelet" },
  { file: "/var/lib/kubelet/config.yaml", content: KUBELET_CONFIG },
  { dir: "/var/lib/kubelet/pki" },
  { dir: "/var/lib/kubelet/pods" },
  { dir: "/var/lib/kubelet/plugins" },
  { dir: "/var/lib/kubelet/plugins_registry" },
  { dir: "/var/lib/kubelet/seccomp" },
  { dir: "/var/lib/kubelet/seccomp/profiles" },
  { dir: "/var/log" },
  { dir: "/var/log/audit" },
  { dir: "/var/log/audit/kube" },
  { file: "/var/log/audit/kube/kube-apiserver.log", content: "", size: 20_480, mode: 0o600 },
  { dir: "/var/log/containers" },
  { dir: "/var/log/pods" },
  { dir: "/var/mnt" },
  { link: "/var/run", target: "/run" },
  { dir: "/var/tmp" },
];

function host(root: string, p: string): string {
  return path.join(root, ...p.split("/").filter(Boolean));
}

/** Creates a directory unless it exists (one system call when its parent is there, as seeds are ordered). */
function ensureDir(p: string, mode: number): void {
  try {
    fs.mkdirSync(p, { mode });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "ENOENT") throw err;
    fs.mkdirSync(p, { recursive: true, mode });
  }
}

/** Creates a file with `content` unless something is there already; whether it did. */
function createFile(p: string, content: string, mode: number): boolean {
  try {
    fs.writeFileSync(p, content, { mode, flag: "wx" });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

/** Opens the root filesystem of a STATE directory, creating what is missing. */
export function openRootFs(stateDir: string): RootFs {
  const root = path.join(stateDir, ROOTFS_DIR);
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  for (const seed of SEEDS) {
    if ("dir" in seed) {
      ensureDir(host(root, seed.dir), seed.mode ?? 0o755);
    } else if ("file" in seed) {
      const p = host(root, seed.file);
      if (createFile(p, seed.content, seed.mode ?? 0o644) && "size" in seed) fs.truncateSync(p, seed.size);
    } else {
      try {
        fs.symlinkSync(seed.target, host(root, seed.link));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
    }
  }
  const made = new Set<string>();
  for (const live of LIVE_PATHS) {
    const p = host(root, live);
    const dir = path.dirname(p);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      made.add(dir);
    }
    const secret = live === "/system/state/config.yaml";
    createFile(p, "", secret ? 0o600 : live.startsWith("/proc/") ? 0o444 : 0o644);
  }
  return new RootFs(root);
}
