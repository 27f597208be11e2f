// /sys/fs/cgroup and /sys/dev/block in the machine's root filesystem: the cgroup hierarchy of
// what runs now (a directory per group, each file live), kept in step with the machine whenever
// a path near it is read, and the block devices' `major:minor` links that name the disks in
// io.stat. One reading of the hierarchy serves the files read within a short while, so a copy
// of the whole tree is consistent.
import fs from "node:fs";
import path from "node:path";
import { KUBERNETES_NAMESPACE, SYSTEM_NAMESPACE } from "../../wire/index.js";
import {
  blockDeviceNumber,
  type CgroupFacts,
  type CgroupPod,
  CPU_COUNT,
  cgroupHierarchy,
  MEM_TOTAL_KB,
  PAUSE_IMAGE,
} from "../platform/index.js";
import type { Machine } from "./machine.js";

export const CGROUP_ROOT = "/sys/fs/cgroup";
/** Real milliseconds one reading of the hierarchy is reused for. */
const READING_MS = 250;

/** The group a service's processes run in, as Talos places them. */
const SERVICE_GROUPS: Readonly<Record<string, string>> = {
  apid: "system/apid",
  trustd: "system/trustd",
  udevd: "system/udevd",
  dashboard: "system/dashboard",
  containerd: "system/runtime",
  cri: "podruntime/runtime",
  etcd: "podruntime/etcd",
  kubelet: "podruntime/kubelet",
};

/** CPU requests of the control plane's static pods (Talos's defaults), in millicores. */
const CPU_REQUESTS: Readonly<Record<string, number>> = {
  "kube-apiserver": 200,
  "kube-controller-manager": 50,
  "kube-scheduler": 10,
};

/** Groups that exist beside Talos's own (debug containers), per machine. */
const extras = new WeakMap<Machine, Set<string>>();

/** Adds a group (`system/debug/<id>`) until the returned function removes it. */
export function addCgroup(m: Machine, group: string): () => void {
  let set = extras.get(m);
  if (!set) {
    set = new Set();
    extras.set(m, set);
  }
  set.add(group);
  return () => set.delete(group);
}

function facts(m: Machine): CgroupFacts {
  const now = m.now();
  // An exited container's cgroup is gone with its task.
  const pods = m.workloads.containers(KUBERNETES_NAMESPACE, "cri").filter((c) => c.pid !== 0);
  const byPod = new Map<string, { uid: string; containers: { id: string; cpuRequestMillis: number }[] }>();
  const groupOf = new Map<number, string>();
  for (const c of pods) {
    let pod = byPod.get(c.podId);
    if (!pod) {
      pod = { uid: c.uid, containers: [] };
      byPod.set(c.podId, pod);
    }
    pod.containers.push({
      id: c.internalId,
      cpuRequestMillis: c.image === PAUSE_IMAGE ? 0 : (CPU_REQUESTS[c.name] ?? 0),
    });
    groupOf.set(c.pid, `kubepods/burstable/pod${c.uid}/${c.internalId}`);
  }
  for (const s of m.services.list()) {
    const group = SERVICE_GROUPS[s.id] ?? (s.id.startsWith("ext-") ? `system/extensions/${s.id}` : undefined);
    if (s.pid !== undefined && group) groupOf.set(s.pid, group);
  }
  // Containers' own figures (the same `stats` reports) where a process is a container's.
  const usage = new Map<number, { memory: number; cpu: number }>();
  for (const c of [...pods, ...m.workloads.containers(SYSTEM_NAMESPACE, "containerd")]) {
    usage.set(c.pid, { memory: c.memoryBytes, cpu: c.cpuNanos / 1e9 });
  }
  const processes = m.workloads.processes().map((p) => ({
    pid: p.pid,
    threads: p.threads,
    cpuTime: usage.get(p.pid)?.cpu ?? p.cpuTime,
    residentMemory: usage.get(p.pid)?.memory ?? p.residentMemory,
    cgroup: groupOf.get(p.pid) ?? "init",
  }));
  return {
    bootId: m.bootId,
    uptimeSeconds: m.hardware.uptime(now),
    cpuCount: CPU_COUNT,
    memoryBytes: MEM_TOTAL_KB * 1024,
    processes,
    pods: [...byPod.values()].map(
      (p): CgroupPod => ({ uid: p.uid, qos: "burstable", containers: p.containers }),
    ),
    extra: [...(extras.get(m) ?? [])],
    devices: m.disks.map((d, i) => blockDeviceNumber(d.devPath.replace(/^\/dev\//, ""), i)),
  };
}

/** Keeps /sys/fs/cgroup and /sys/dev/block of the machine's root filesystem up to date. */
export function mountCgroupfs(m: Machine): void {
  const rootfs = m.rootfs;
  const hostRoot = path.join(rootfs.dir, ...CGROUP_ROOT.split("/").filter(Boolean));
  let reading: { at: number; tree: Map<string, Map<string, string>> } | undefined;
  let layout = "";
  const current = (): Map<string, Map<string, string>> => {
    const at = Date.now();
    if (!reading || at - reading.at > READING_MS) reading = { at, tree: cgroupHierarchy(facts(m)) };
    return reading.tree;
  };
  const sync = (): void => {
    const tree = current();
    const wanted = [...tree.keys()].sort();
    const key = wanted.join("\n");
    if (key === layout) return;
    layout = key;
    fs.mkdirSync(hostRoot, { recursive: true, mode: 0o755 });
    removeStale(hostRoot, "", new Set(wanted));
    for (const group of wanted) {
      const dir = group === "" ? hostRoot : path.join(hostRoot, ...group.split("/"));
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      for (const file of tree.get(group)!.keys()) {
        const host = path.join(dir, file);
        if (!fs.existsSync(host))
          fs.writeFileSync(host, "", { mode: file.startsWith("cgroup.") ? 0o644 : 0o444 });
        const virtual = `${CGROUP_ROOT}${group === "" ? "" : `/${group}`}/${file}`;
        rootfs.setLive(virtual, { source: () => current().get(group)?.get(file) ?? "", zeroSize: true });
      }
    }
    syncBlockDevices(path.join(rootfs.dir, "sys", "dev", "block"), m);
  };
  rootfs.onAccess(CGROUP_ROOT, sync);
  rootfs.onAccess("/sys/dev/block", sync);
}

/** Removes directories of groups that no longer exist. */
function removeStale(hostRoot: string, rel: string, wanted: ReadonlySet<string>): void {
  const dir = rel === "" ? hostRoot : path.join(hostRoot, ...rel.split("/"));
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const child = rel === "" ? e.name : `${rel}/${e.name}`;
    if (wanted.has(child)) removeStale(hostRoot, child, wanted);
    else fs.rmSync(path.join(dir, e.name), { recursive: true, force: true });
  }
}

function syncBlockDevices(dir: string, m: Machine): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  m.disks.forEach((d, i) => {
    const name = d.devPath.replace(/^\/dev\//, "");
    const link = path.join(dir, blockDeviceNumber(name, i));
    const target = `../../devices/pci0000:00/0000:00:${String(5 + i).padStart(2, "0")}.0/virtio${i + 1}/block/${name}`;
    let existing: string | undefined;
    try {
      existing = fs.readlinkSync(link);
    } catch {
      existing = undefined;
    }
    if (existing === target) return;
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
  });
}
