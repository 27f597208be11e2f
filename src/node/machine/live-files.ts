// Files of the root filesystem whose bytes come from the machine when read: /proc from the
// platform layer (the same figures Memory, LoadAvg, SystemStat and Mounts report), /etc from
// the hostname and addresses, and /system/state/config.yaml from the saved machine config.
import { CPU_COUNT, type Hardware, type RootFs } from "../platform/index.js";
import { KERNEL_VERSION, kernelCmdline } from "./kernel-transcript.js";

/** What the live files read of the machine, each time one is read. */
export interface LiveFacts {
  readonly rootfs: RootFs;
  readonly hardware: Hardware;
  readonly platformName: string;
  readonly bootId: string;
  readonly addresses: readonly string[];
  readonly talosVersion: string;
  volumesMounted(): boolean;
  hostname(): string;
  /** /etc/machine-id's value. */
  machineId(): string;
  now(): Date;
  /** Share of the machine's work that runs (scales load and memory use). */
  activity(): number;
  processCount(): number;
  lastPid(): number;
  /** The machine config saved in the STATE directory, if any. */
  savedConfig(): Uint8Array | undefined;
}

/** /proc/meminfo's keys for the Memory fields, in the kernel's order. */
export const MEMINFO_KEYS: readonly (readonly [field: string, key: string, kb: boolean])[] = [
  ["memtotal", "MemTotal", true],
  ["memfree", "MemFree", true],
  ["memavailable", "MemAvailable", true],
  ["buffers", "Buffers", true],
  ["cached", "Cached", true],
  ["swapcached", "SwapCached", true],
  ["active", "Active", true],
  ["inactive", "Inactive", true],
  ["activeanon", "Active(anon)", true],
  ["inactiveanon", "Inactive(anon)", true],
  ["activefile", "Active(file)", true],
  ["inactivefile", "Inactive(file)", true],
  ["unevictable", "Unevictable", true],
  ["mlocked", "Mlocked", true],
  ["swaptotal", "SwapTotal", true],
  ["swapfree", "SwapFree", true],
  ["dirty", "Dirty", true],
  ["writeback", "Writeback", true],
  ["anonpages", "AnonPages", true],
  ["mapped", "Mapped", true],
  ["shmem", "Shmem", true],
  ["slab", "Slab", true],
  ["sreclaimable", "SReclaimable", true],
  ["sunreclaim", "SUnreclaim", true],
  ["kernelstack", "KernelStack", true],
  ["pagetables", "PageTables", true],
  ["nfsunstable", "NFS_Unstable", true],
  ["bounce", "Bounce", true],
  ["writebacktmp", "WritebackTmp", true],
  ["commitlimit", "CommitLimit", true],
  ["committedas", "Committed_AS", true],
  ["vmalloctotal", "VmallocTotal", true],
  ["vmallocused", "VmallocUsed", true],
  ["vmallocchunk", "VmallocChunk", true],
  ["hardwarecorrupted", "HardwareCorrupted", true],
  ["anonhugepages", "AnonHugePages", true],
  ["shmemhugepages", "ShmemHugePages", true],
  ["shmempmdmapped", "ShmemPmdMapped", true],
  ["cmatotal", "CmaTotal", true],
  ["cmafree", "CmaFree", true],
  ["hugepagestotal", "HugePages_Total", false],
  ["hugepagesfree", "HugePages_Free", false],
  ["hugepagesrsvd", "HugePages_Rsvd", false],
  ["hugepagessurp", "HugePages_Surp", false],
  ["hugepagesize", "Hugepagesize", true],
  ["directmap4k", "DirectMap4k", true],
  ["directmap2m", "DirectMap2M", true],
  ["directmap1g", "DirectMap1G", true],
];

/** USER_HZ: /proc/stat counts CPU time in these ticks per second. */
const USER_HZ = 100;

function meminfo(m: LiveFacts): string {
  const info = m.hardware.memory(m.now(), m.activity());
  return MEMINFO_KEYS.map(([field, key, kb]) => {
    const value = String(info[field] ?? 0);
    return `${`${key}:`.padEnd(16)}${value.padStart(8)}${kb ? " kB" : ""}`;
  })
    .map((l) => `${l}\n`)
    .join("");
}

function cpuinfo(): string {
  let out = "";
  for (let i = 0; i < CPU_COUNT; i++) {
    out += [
      `processor\t: ${i}`,
      "vendor_id\t: AuthenticAMD",
      "cpu family\t: 25",
      "model\t\t: 1",
      "model name\t: AMD EPYC Processor",
      "stepping\t: 1",
      "microcode\t: 0x1000065",
      "cpu MHz\t\t: 2445.406",
      "cache size\t: 512 KB",
      "physical id\t: 0",
      `siblings\t: ${CPU_COUNT}`,
      `core id\t\t: ${i}`,
      `cpu cores\t: ${CPU_COUNT}`,
      `apicid\t\t: ${i}`,
      "fpu\t\t: yes",
      "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sse sse2 ht syscall nx lm avx avx2 aes",
      "bogomips\t: 4890.81",
      "address sizes\t: 40 bits physical, 48 bits virtual",
      "",
      "",
    ].join("\n");
  }
  return out;
}

function procStat(m: LiveFacts): string {
  const now = m.now();
  const ticks = (s: number): number => Math.floor(s * USER_HZ);
  const cpus = Array.from({ length: CPU_COUNT }, (_, i) => m.hardware.cpuTimes(now, i));
  const line = (name: string, list: typeof cpus): string => {
    const sum = (k: keyof (typeof cpus)[number]) => ticks(list.reduce((a, t) => a + t[k], 0));
    return `${name} ${sum("user")} ${sum("nice")} ${sum("system")} ${sum("idle")} ${sum("iowait")} ${sum("irq")} ${sum("softIrq")} ${sum("steal")} ${sum("guest")} ${sum("guestNice")}`;
  };
  const c = m.hardware.counters(now);
  return [
    line("cpu ", cpus),
    ...cpus.map((t, i) => line(`cpu${i}`, [t])),
    `intr ${c.irqTotal}`,
    `ctxt ${c.contextSwitches}`,
    `btime ${Math.floor(m.hardware.bootTime.getTime() / 1000)}`,
    `processes ${c.processCreated}`,
    `procs_running ${1 + Math.round(m.activity() * 2)}`,
    "procs_blocked 0",
    `softirq ${c.softIrqTotal}`,
    "",
  ].join("\n");
}

export function registerLiveFiles(m: LiveFacts): void {
  const fsys = m.rootfs;
  const proc = (name: string, source: () => string): void =>
    fsys.setLive(`/proc/${name}`, { source, zeroSize: true });
  proc("cmdline", () => `${kernelCmdline(m.platformName)}\n`);
  proc("cpuinfo", cpuinfo);
  proc("meminfo", () => meminfo(m));
  proc("loadavg", () => {
    const l = m.hardware.loadAvg(m.now(), m.activity());
    const running = 1 + Math.round(m.activity() * 2);
    return `${l.load1.toFixed(2)} ${l.load5.toFixed(2)} ${l.load15.toFixed(2)} ${running}/${m.processCount()} ${m.lastPid()}\n`;
  });
  proc("uptime", () => {
    const up = m.hardware.uptime(m.now());
    return `${up.toFixed(2)} ${(up * CPU_COUNT * 0.93).toFixed(2)}\n`;
  });
  proc(
    "version",
    () =>
      `Linux version ${KERNEL_VERSION} (builder@talos) (gcc 15.2.0, binutils 2.45) #1 SMP PREEMPT_DYNAMIC\n`,
  );
  proc("stat", () => procStat(m));
  proc("sys/kernel/random/boot_id", () => `${m.bootId}\n`);
  proc("mounts", () =>
    m.hardware
      .mounts(m.now(), m.volumesMounted())
      .map((r) => {
        const type = r.filesystem.startsWith("/dev/") ? "xfs" : r.filesystem;
        return `${r.filesystem} ${r.mountedOn} ${type} rw,relatime 0 0\n`;
      })
      .join(""),
  );
  fsys.setLive("/etc/hostname", { source: () => `${m.hostname()}\n` });
  fsys.setLive("/etc/hosts", {
    source: () =>
      [
        "127.0.0.1\tlocalhost",
        "::1\t\tlocalhost ip6-localhost ip6-loopback",
        ...m.addresses.filter((a) => !a.startsWith("127.")).map((a) => `${a}\t${m.hostname()}`),
        "",
      ].join("\n"),
  });
  fsys.setLive("/etc/os-release", {
    source: () =>
      [
        'NAME="Talos"',
        "ID=talos",
        `VERSION_ID=${m.talosVersion}`,
        `PRETTY_NAME="Talos (${m.talosVersion})"`,
        'HOME_URL="https://www.talos.dev/"',
        "",
      ].join("\n"),
  });
  fsys.setLive("/etc/machine-id", { source: () => `${m.machineId()}\n` });
  fsys.setLive("/system/state/config.yaml", { source: () => m.savedConfig() ?? new Uint8Array() });
}
