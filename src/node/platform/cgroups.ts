// The machine's cgroup v2 hierarchy as /sys/fs/cgroup shows it: Talos's groups (`init` for
// machined, `system/*` for its services, `podruntime/*` for containerd, etcd and the kubelet,
// `kubepods/<qos>/pod<uid>/<container>` for pods) with the limits and protections Talos sets
// (siderolabs/talos: pkg/machinery/constants/constants.go) and usage that follows the processes
// in each group: memory, CPU time, tasks, I/O and pressure, added up the tree as the kernel does.
import { createHash } from "node:crypto";

const MIB = 1024 * 1024;

/** A process and where it runs. */
export interface CgroupProcess {
  readonly pid: number;
  readonly threads: number;
  /** Seconds of CPU time used. */
  readonly cpuTime: number;
  readonly residentMemory: number;
  /** The group it belongs to (`system/apid`), relative to the hierarchy's root. */
  readonly cgroup: string;
}

/** A pod's group: kubepods/<qos>/pod<uid>, one group per container (and the sandbox). */
export interface CgroupPod {
  readonly uid: string;
  readonly qos: "burstable" | "besteffort" | "guaranteed";
  readonly containers: readonly {
    readonly id: string;
    readonly cpuRequestMillis: number;
    readonly memoryLimit?: number;
  }[];
}

export interface CgroupFacts {
  readonly bootId: string;
  readonly uptimeSeconds: number;
  readonly cpuCount: number;
  readonly memoryBytes: number;
  readonly processes: readonly CgroupProcess[];
  readonly pods: readonly CgroupPod[];
  /** Further groups that exist (`system/debug/<id>`). */
  readonly extra: readonly string[];
  /** Block devices as `major:minor`. */
  readonly devices: readonly string[];
}

interface Settings {
  readonly millicores?: number;
  readonly min?: number;
  readonly low?: number;
  readonly max?: number;
}

/** Talos's groups and what it sets on each. */
const TALOS_GROUPS: Readonly<Record<string, Settings>> = {
  init: { millicores: 2000, min: 96 * MIB },
  system: { millicores: 1500, min: 96 * MIB },
  "system/runtime": { millicores: 500, min: 48 * MIB },
  "system/apid": { millicores: 500, min: 16 * MIB, max: 128 * MIB },
  "system/trustd": { millicores: 250, min: 8 * MIB, max: 128 * MIB },
  "system/udevd": { millicores: 250, min: 8 * MIB },
  "system/dashboard": { millicores: 200, max: 128 * MIB },
  podruntime: { millicores: 4000, min: (196 + 48 + 96) * MIB, low: ((196 + 48 + 96) * 2 + 256) * MIB },
  "podruntime/runtime": { millicores: 1000, min: 196 * MIB },
  "podruntime/etcd": { millicores: 2000, low: 256 * MIB },
  "podruntime/kubelet": { millicores: 1000, min: 96 * MIB },
  kubepods: {},
  "kubepods/besteffort": {},
  "kubepods/burstable": {},
};

/** The kernel's nice-to-weight table (sched_prio_to_weight), nice -20 first. */
const PRIO_TO_WEIGHT = [
  88761, 71755, 56483, 46273, 36291, 29154, 23254, 18705, 14949, 11916, 9548, 7620, 6100, 4904, 3906, 3121,
  2501, 1991, 1586, 1277, 1024, 820, 655, 526, 423, 335, 272, 215, 172, 137, 110, 87, 70, 56, 45, 36, 29, 23,
  18, 15,
];

/** Talos's MillicoresToCPUWeight: millicores to shares to the cgroup v2 weight. */
export function cpuWeight(millicores: number, cpuCount: number): number {
  const capped = Math.min(millicores, cpuCount * 1000);
  const shares = Math.floor((capped * 1024) / 1000);
  return Math.floor(((Math.max(2, shares) - 2) * 9999) / 262142) + 1;
}

/** cpu.weight.nice as the kernel derives it: the nice level whose weight is nearest. */
export function weightNice(weight: number): number {
  const target = (weight * 1024) / 100;
  let best = 0;
  for (let i = 0; i < PRIO_TO_WEIGHT.length; i++) {
    if (Math.abs(PRIO_TO_WEIGHT[i]! - target) < Math.abs(PRIO_TO_WEIGHT[best]! - target)) best = i;
  }
  return best - 20;
}

function unit(seed: string): number {
  return createHash("sha256").update(seed).digest().readUInt32BE(0) / 0xffffffff;
}

interface Group {
  readonly path: string;
  readonly settings: Settings;
  readonly procs: CgroupProcess[];
  readonly children: Group[];
}

interface Totals {
  memory: number;
  cpuUsec: number;
  tasks: number;
  procs: number;
  descendants: number;
  readBytes: number;
  writeBytes: number;
}

function psi(seed: string, uptimeUsec: number, busy: number, withFull: boolean): string {
  const some = Math.min(5, busy * 2 * unit(`${seed}/some`));
  const avg = (f: number): string => (some * f).toFixed(2);
  const total = Math.round(uptimeUsec * busy * 0.002 * (0.5 + unit(`${seed}/total`)));
  const line = (kind: string, scale: number): string =>
    `${kind} avg10=${avg(scale)} avg60=${avg(scale * 0.8)} avg300=${avg(scale * 0.6)} total=${Math.round(total * scale)}`;
  return withFull ? `${line("some", 1)}\n${line("full", 0.4)}\n` : `${line("some", 1)}\n`;
}

function memoryStat(memory: number, seed: string): { stat: string; anon: number; file: number } {
  const anonShare = 0.55 + 0.25 * unit(`${seed}/anon`);
  const kernel = Math.round(memory * 0.06);
  const anon = Math.round((memory - kernel) * anonShare);
  const file = memory - kernel - anon;
  const page = (n: number): number => Math.round(n / 4096) * 4096;
  const rows: [string, number][] = [
    ["anon", page(anon)],
    ["file", page(file)],
    ["kernel", page(kernel)],
    ["kernel_stack", page(kernel * 0.12)],
    ["pagetables", page(kernel * 0.2)],
    ["sec_pagetables", 0],
    ["percpu", page(kernel * 0.05)],
    ["sock", 0],
    ["vmalloc", 0],
    ["shmem", page(file * 0.02)],
    ["zswap", 0],
    ["zswapped", 0],
    ["file_mapped", page(file * 0.4)],
    ["file_dirty", 0],
    ["file_writeback", 0],
    ["swapcached", 0],
    ["anon_thp", 0],
    ["file_thp", 0],
    ["shmem_thp", 0],
    ["inactive_anon", page(anon * 0.1)],
    ["active_anon", page(anon * 0.9)],
    ["inactive_file", page(file * 0.6)],
    ["active_file", page(file * 0.4)],
    ["unevictable", 0],
    ["slab_reclaimable", page(kernel * 0.35)],
    ["slab_unreclaimable", page(kernel * 0.25)],
    ["slab", page(kernel * 0.6)],
    ["workingset_refault_anon", 0],
    ["workingset_refault_file", 0],
    ["workingset_activate_anon", 0],
    ["workingset_activate_file", 0],
    ["workingset_restore_anon", 0],
    ["workingset_restore_file", 0],
    ["workingset_nodereclaim", 0],
    ["pgscan", 0],
    ["pgsteal", 0],
    ["pgfault", Math.round(memory / 2048)],
    ["pgmajfault", Math.round(memory / 262144)],
    ["pgrefill", 0],
    ["pgactivate", Math.round(memory / 65536)],
    ["pgdeactivate", 0],
    ["pglazyfree", 0],
    ["pglazyfreed", 0],
    ["thp_fault_alloc", 0],
    ["thp_collapse_alloc", 0],
  ];
  return { stat: rows.map(([k, v]) => `${k} ${v}\n`).join(""), anon, file };
}

/** Every group of the hierarchy (`""` is the root) with its files and their contents. */
export function cgroupHierarchy(f: CgroupFacts): Map<string, Map<string, string>> {
  const groups = new Map<string, Group>();
  const ensure = (path: string, settings: Settings = {}): Group => {
    let g = groups.get(path);
    if (g) return g;
    g = { path, settings: TALOS_GROUPS[path] ?? settings, procs: [], children: [] };
    groups.set(path, g);
    if (path !== "") {
      const slash = path.lastIndexOf("/");
      ensure(slash < 0 ? "" : path.slice(0, slash)).children.push(g);
    }
    return g;
  };
  ensure("");
  for (const path of Object.keys(TALOS_GROUPS)) ensure(path);
  for (const pod of f.pods) {
    const base = pod.qos === "guaranteed" ? "kubepods" : `kubepods/${pod.qos}`;
    const requests = pod.containers.reduce((n, c) => n + c.cpuRequestMillis, 0);
    ensure(`${base}/pod${pod.uid}`, { millicores: Math.max(2, requests) });
    for (const c of pod.containers) {
      ensure(`${base}/pod${pod.uid}/${c.id}`, {
        millicores: Math.max(2, c.cpuRequestMillis),
        ...(c.memoryLimit !== undefined ? { max: c.memoryLimit } : {}),
      });
    }
  }
  for (const path of f.extra) ensure(path);
  for (const p of f.processes) ensure(p.cgroup).procs.push(p);

  const uptimeUsec = Math.round(f.uptimeSeconds * 1e6);
  const cpus = f.cpuCount > 1 ? `0-${f.cpuCount - 1}` : "0";
  const totals = new Map<string, Totals>();
  const sum = (g: Group): Totals => {
    const t: Totals = {
      memory: 0,
      cpuUsec: 0,
      tasks: 0,
      procs: g.procs.length,
      descendants: 0,
      readBytes: 0,
      writeBytes: 0,
    };
    for (const p of g.procs) {
      t.memory += p.residentMemory;
      t.cpuUsec += Math.round(p.cpuTime * 1e6);
      t.tasks += p.threads;
      // What a process read and wrote so far: its image and data, then a trickle with its work.
      const seed = `${f.bootId}/io/${p.pid}`;
      t.readBytes += Math.round(p.residentMemory * (1.5 + 2 * unit(`${seed}/r`)) + p.cpuTime * 2e6);
      t.writeBytes += Math.round(p.residentMemory * (0.2 + unit(`${seed}/w`)) + p.cpuTime * 1e6);
    }
    for (const c of g.children) {
      const ct = sum(c);
      t.memory += ct.memory;
      t.cpuUsec += ct.cpuUsec;
      t.tasks += ct.tasks;
      t.procs += ct.procs;
      t.descendants += 1 + ct.descendants;
      t.readBytes += ct.readBytes;
      t.writeBytes += ct.writeBytes;
    }
    totals.set(g.path, t);
    return t;
  };
  sum(groups.get("")!);

  // Thread ids after the processes' own pids, stable within one reading.
  let nextTid = 20_000;
  const out = new Map<string, Map<string, string>>();
  for (const g of groups.values()) {
    const t = totals.get(g.path)!;
    const seed = `${f.bootId}/${g.path}`;
    const busy = Math.min(1, t.cpuUsec / Math.max(1, uptimeUsec * f.cpuCount));
    const files = new Map<string, string>();
    const procs = g.procs.map((p) => p.pid).sort((a, b) => a - b);
    const threads: number[] = [];
    for (const p of g.procs) {
      threads.push(p.pid);
      for (let i = 1; i < p.threads; i++) threads.push(nextTid++);
    }
    const lines = (ns: readonly number[]): string => ns.map((n) => `${n}\n`).join("");
    const reads = t.readBytes;
    const writes = t.writeBytes;
    const io = f.devices
      .map((dev, i) => {
        // The system disk carries nearly everything.
        const share = i === 0 ? 1 : 0.02;
        const rb = Math.round(reads * share);
        const wb = Math.round(writes * share);
        if (rb === 0 && wb === 0) return "";
        return `${dev} rbytes=${rb} wbytes=${wb} rios=${Math.round(rb / 16384)} wios=${Math.round(wb / 32768)} dbytes=0 dios=0\n`;
      })
      .join("");
    const mem = memoryStat(t.memory, seed);
    const cpuStat = [
      `usage_usec ${t.cpuUsec}`,
      `user_usec ${Math.round(t.cpuUsec * 0.68)}`,
      `system_usec ${t.cpuUsec - Math.round(t.cpuUsec * 0.68)}`,
      "core_sched.force_idle_usec 0",
      "nr_periods 0",
      "nr_throttled 0",
      "throttled_usec 0",
      "nr_bursts 0",
      "burst_usec 0",
    ]
      .map((l) => `${l}\n`)
      .join("");
    files.set("cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
    files.set("cgroup.max.depth", "max\n");
    files.set("cgroup.max.descendants", "max\n");
    files.set("cgroup.procs", lines(procs));
    files.set("cgroup.stat", `nr_descendants ${t.descendants}\nnr_dying_descendants 0\n`);
    files.set(
      "cgroup.subtree_control",
      g.children.length > 0 || g.path === "" ? "cpuset cpu io memory pids\n" : "\n",
    );
    files.set("cgroup.threads", lines(threads));
    files.set("cpu.pressure", psi(`${seed}/cpu`, uptimeUsec, busy, true));
    files.set("cpu.stat", cpuStat);
    files.set("cpu.stat.local", "throttled_usec 0\n");
    files.set("cpuset.cpus.effective", `${cpus}\n`);
    files.set("cpuset.mems.effective", "0\n");
    files.set("io.pressure", psi(`${seed}/io`, uptimeUsec, busy * 0.3, true));
    files.set("io.stat", io);
    files.set(
      "memory.numa_stat",
      `anon N0=${mem.anon}\nfile N0=${mem.file}\nkernel_stack N0=0\nshmem N0=0\n`,
    );
    files.set("memory.pressure", psi(`${seed}/memory`, uptimeUsec, busy * 0.1, true));
    files.set("memory.stat", mem.stat);
    if (g.path !== "") {
      const s = g.settings;
      const weight = s.millicores !== undefined ? cpuWeight(s.millicores, f.cpuCount) : 100;
      const bytes = (n: number | undefined, none: string): string => (n === undefined ? none : String(n));
      files.set("cgroup.events", `populated ${t.procs > 0 ? 1 : 0}\nfrozen 0\n`);
      files.set("cgroup.freeze", "0\n");
      files.set("cgroup.type", "domain\n");
      files.set("cpu.idle", "0\n");
      files.set("cpu.max", "max 100000\n");
      files.set("cpu.max.burst", "0\n");
      files.set("cpu.weight", `${weight}\n`);
      files.set("cpu.weight.nice", `${weightNice(weight)}\n`);
      files.set("cpuset.cpus", "\n");
      files.set("cpuset.mems", "\n");
      files.set("io.max", "");
      files.set("memory.current", `${t.memory}\n`);
      files.set("memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
      files.set("memory.events.local", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n");
      files.set("memory.high", "max\n");
      files.set("memory.low", `${bytes(s.low, "0")}\n`);
      files.set("memory.max", `${bytes(s.max, "max")}\n`);
      files.set("memory.min", `${bytes(s.min, "0")}\n`);
      files.set(
        "memory.oom.group",
        g.path.startsWith("kubepods/") && g.path.split("/").length > 3 ? "1\n" : "0\n",
      );
      files.set("memory.peak", `${Math.round(t.memory * (1.1 + 0.3 * unit(`${seed}/peak`)))}\n`);
      files.set("memory.swap.current", "0\n");
      files.set("memory.swap.events", "high 0\nmax 0\nfail 0\n");
      files.set("memory.swap.high", "max\n");
      files.set("memory.swap.max", "max\n");
      files.set("memory.swap.peak", "0\n");
      files.set("memory.zswap.current", "0\n");
      files.set("memory.zswap.max", "max\n");
      files.set("memory.zswap.writeback", "1\n");
      files.set("pids.current", `${t.tasks}\n`);
      files.set("pids.events", "max 0\n");
      files.set("pids.max", "max\n");
      files.set("pids.peak", `${t.tasks + Math.round(4 * unit(`${seed}/pids`))}\n`);
    }
    out.set(g.path, files);
  }
  return out;
}

/** The `major:minor` of a block device by its name (sda 8:0, vdb 253:16, nvme0n1 259:0). */
export function blockDeviceNumber(name: string, index: number): string {
  const sd = /^[sh]d([a-z])$/.exec(name);
  if (sd) return `8:${(sd[1]!.charCodeAt(0) - 97) * 16}`;
  const vd = /^vd([a-z])$/.exec(name);
  if (vd) return `253:${(vd[1]!.charCodeAt(0) - 97) * 16}`;
  if (/^nvme\d+n\d+$/.test(name)) return `259:${index}`;
  if (/^mmcblk(\d+)$/.test(name)) return `179:${Number(/\d+/.exec(name)![0]) * 8}`;
  return `8:${index * 16}`;
}
