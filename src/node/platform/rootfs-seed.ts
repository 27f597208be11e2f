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
  { dir: "/system" },
  { dir: "/system/etc" },
  { dir: "/system/run" },
  { dir: "/system/run/machined" },
  { dir: "/system/run/containerd" },
  { dir: "/system/state" },
  { dir: "/system/var" },
  { dir: "/system/var/lib" },
  { dir: "/system/var/lib/containerd" },
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
  { dir: "/var/lib/containerd" },
  { dir: "/var/lib/etcd" },
  { dir: "/var/lib/kubelet" },
  { dir: "/var/lib/kubelet/pki" },
  { dir: "/var/log" },
  { dir: "/var/log/audit" },
  { dir: "/var/log/containers" },
  { dir: "/var/log/pods" },
  { link: "/var/run", target: "/run" },
  { dir: "/var/tmp" },
];

function host(root: string, p: string): string {
  return path.join(root, ...p.split("/").filter(Boolean));
}

/** Opens the root filesystem of a STATE directory, creating what is missing. */
export function openRootFs(stateDir: string): RootFs {
  const root = path.join(stateDir, ROOTFS_DIR);
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  for (const seed of SEEDS) {
    if ("dir" in seed) {
      const p = host(root, seed.dir);
      if (!fs.existsSync(p)) fs.mkdirSync(p, { recursive: true, mode: seed.mode ?? 0o755 });
    } else if ("file" in seed) {
      const p = host(root, seed.file);
      if (!fs.existsSync(p)) fs.writeFileSync(p, seed.content, { mode: seed.mode ?? 0o644 });
    } else {
      const p = host(root, seed.link);
      let present = true;
      try {
        fs.lstatSync(p);
      } catch {
        present = false;
      }
      if (!present) fs.symlinkSync(seed.target, p);
    }
  }
  for (const live of LIVE_PATHS) {
    const p = host(root, live);
    fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
    const secret = live === "/system/state/config.yaml";
    if (!fs.existsSync(p))
      fs.writeFileSync(p, "", { mode: secret ? 0o600 : live.startsWith("/proc/") ? 0o444 : 0o644 });
  }
  return new RootFs(root);
}
