// What the emulated machine reports about itself: memory, CPUs, load, kernel counters,
// processes and mounts. Values are derived from the boot time and the clock, so they stay
// plausible and consistent across calls (totals fixed, counters only grow).
import type { Disk } from "./disks.js";

export const CPU_COUNT = 2;
/** MemTotal in kB (a 4 GiB machine minus what the kernel keeps). */
export const MEM_TOTAL_KB = 4_028_232;

export interface MemInfo {
  readonly [field: string]: number;
}

export interface CpuTimes {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
  readonly irq: number;
  readonly softIrq: number;
  readonly steal: number;
  readonly guest: number;
  readonly guestNice: number;
}

const CPU_TIME_FIELDS = [
  "user",
  "nice",
  "system",
  "idle",
  "iowait",
  "irq",
  "softIrq",
  "steal",
  "guest",
  "guestNice",
] as const satisfies readonly (keyof CpuTimes)[];

export interface CpuStatSnapshot {
  readonly cpuTotal: CpuTimes;
  readonly cpu: readonly CpuTimes[];
  readonly irqTotal: number;
  readonly contextSwitches: number;
  readonly processCreated: number;
  readonly processRunning: number;
  readonly processBlocked: number;
  readonly softIrqTotal: number;
}

export interface ProcessRow {
  readonly pid: number;
  readonly ppid: number;
  readonly state: string;
  readonly threads: number;
  readonly cpuTime: number;
  readonly virtualMemory: number;
  readonly residentMemory: number;
  readonly command: string;
  readonly executable: string;
  readonly args: string;
  readonly label: string;
}

export interface RunningProcess {
  readonly pid: number;
  readonly args: readonly string[];
  readonly startedAt: Date;
}

export interface NetDeviceRow {
  readonly name: string;
  readonly rxBytes: number;
  readonly rxPackets: number;
  readonly txBytes: number;
  readonly txPackets: number;
}

export interface DiskCounterRow {
  readonly name: string;
  readonly readCompleted: number;
  readonly readSectors: number;
  readonly writeCompleted: number;
  readonly writeSectors: number;
}

export interface MountRow {
  readonly filesystem: string;
  readonly size: number;
  readonly available: number;
  readonly mountedOn: string;
}

/** A slow, smooth wobble in [0, 1] so values move a little between calls. */
function wobble(seconds: number, period: number, phase = 0): number {
  return (Math.sin((2 * Math.PI * seconds) / period + phase) + 1) / 2;
}

export class Hardware {
  constructor(
    readonly bootTime: Date,
    private readonly disks: readonly Disk[],
  ) {}

  uptime(now: Date): number {
    return Math.max(0, (now.getTime() - this.bootTime.getTime()) / 1000);
  }

  /** /proc/meminfo in kB; `load` in [0, 1] grows the used share (e.g. running services). */
  memory(now: Date, load: number): MemInfo {
    const t = this.uptime(now);
    const used = Math.round(MEM_TOTAL_KB * (0.12 + 0.2 * Math.min(1, load) + 0.02 * wobble(t, 300)));
    const buffers = 4_096 + Math.round(2_048 * Math.min(1, t / 600));
    const cached = Math.round(MEM_TOTAL_KB * 0.18) + Math.round(40_960 * Math.min(1, t / 900));
    const free = Math.max(0, MEM_TOTAL_KB - used - buffers - cached);
    const shmem = 12_480;
    const slab = 98_304;
    return {
      memtotal: MEM_TOTAL_KB,
      memfree: free,
      memavailable: free + buffers + cached - shmem + Math.round(slab * 0.6),
      buffers,
      cached,
      swapcached: 0,
      active: Math.round(used * 0.4 + cached * 0.5),
      inactive: Math.round(used * 0.3 + cached * 0.5),
      activeanon: Math.round(used * 0.4),
      inactiveanon: Math.round(used * 0.3),
      activefile: Math.round(cached * 0.5),
      inactivefile: Math.round(cached * 0.5),
      unevictable: 0,
      mlocked: 0,
      swaptotal: 0,
      swapfree: 0,
      dirty: 36 + Math.round(200 * wobble(t, 60)),
      writeback: 0,
      anonpages: Math.round(used * 0.7),
      mapped: Math.round(cached * 0.3),
      shmem,
      slab,
      sreclaimable: Math.round(slab * 0.6),
      sunreclaim: Math.round(slab * 0.4),
      kernelstack: 6_240,
      pagetables: 4_812,
      nfsunstable: 0,
      bounce: 0,
      writebacktmp: 0,
      commitlimit: Math.round(MEM_TOTAL_KB / 2),
      committedas: Math.round(used * 1.6),
      vmalloctotal: 34_359_738_367,
      vmallocused: 21_904,
      vmallocchunk: 0,
      hardwarecorrupted: 0,
      anonhugepages: 0,
      shmemhugepages: 0,
      shmempmdmapped: 0,
      cmatotal: 0,
      cmafree: 0,
      hugepagestotal: 0,
      hugepagesfree: 0,
      hugepagesrsvd: 0,
      hugepagessurp: 0,
      hugepagesize: 2_048,
      directmap4k: 131_072,
      directmap2m: 4_063_232,
      directmap1g: 0,
    };
  }

  loadAvg(now: Date, load: number): { load1: number; load5: number; load15: number } {
    const t = this.uptime(now);
    const base = 0.05 + 0.6 * Math.min(1, load);
    const round = (x: number): number => Math.round(x * 100) / 100;
    return {
      load1: round(base * (0.7 + 0.6 * wobble(t, 90))),
      load5: round(base * (0.8 + 0.4 * wobble(t, 400, 1))),
      load15: round(base * (0.9 + 0.2 * wobble(t, 1200, 2))),
    };
  }

  /** Cumulative CPU seconds per CPU since boot (always growing). */
  cpuTimes(now: Date, cpu: number): CpuTimes {
    const t = this.uptime(now) + 2; // firmware and early boot before the clock started
    const skew = 1 + cpu * 0.07;
    const user = t * 0.031 * skew;
    const system = t * 0.018 * skew;
    const iowait = t * 0.004;
    const irq = 0;
    const softIrq = t * 0.0015;
    const steal = t * 0.0008;
    return {
      user,
      nice: 0,
      system,
      idle: t - user - system - iowait - softIrq - steal,
      iowait,
      irq,
      softIrq,
      steal,
      guest: 0,
      guestNice: 0,
    };
  }

  /**
   * /proc/net/dev counters of the loopback and the NIC: traffic grows with uptime, faster
   * while workloads are busy (`load` in [0, 1]), so a reader sees a rate that moves.
   */
  netDevices(now: Date, load: number): NetDeviceRow[] {
    const t = this.uptime(now);
    const busy = 1 + 3 * Math.min(1, load);
    const rx = Math.floor(t * (18_000 * busy + 6_000 * wobble(t, 40)));
    const tx = Math.floor(t * (9_000 * busy + 4_000 * wobble(t, 55, 1)));
    const row = (name: string, rxBytes: number, txBytes: number): NetDeviceRow => ({
      name,
      rxBytes,
      rxPackets: Math.floor(rxBytes / 620),
      txBytes,
      txPackets: Math.floor(txBytes / 480),
    });
    return [row("lo", Math.floor(t * 2_100), Math.floor(t * 2_100)), row("eth0", rx, tx)];
  }

  /** /proc/diskstats counters of the disks (sectors of 512 bytes), growing with uptime. */
  diskCounters(now: Date, load: number): DiskCounterRow[] {
    const t = this.uptime(now);
    const busy = 1 + 2 * Math.min(1, load);
    return this.disks.map((d, i) => {
      const share = i === 0 ? 1 : 0.1;
      const readSectors = Math.floor(t * share * (40 * busy + 30 * wobble(t, 70, i)));
      const writeSectors = Math.floor(t * share * (120 * busy + 80 * wobble(t, 45, i + 1)));
      return {
        name: d.devPath.replace(/^\/dev\//, ""),
        readCompleted: Math.floor(readSectors / 8),
        readSectors,
        writeCompleted: Math.floor(writeSectors / 16),
        writeSectors,
      };
    });
  }

  /** Counters of /proc/stat (all growing with uptime). */
  counters(now: Date): {
    contextSwitches: number;
    processCreated: number;
    irqTotal: number;
    softIrqTotal: number;
  } {
    const t = Math.floor(this.uptime(now)) + 2;
    return {
      contextSwitches: 48_213 + t * 1_840,
      processCreated: 1_204 + t * 3,
      irqTotal: 31_877 + t * 912,
      softIrqTotal: 22_415 + t * 640,
    };
  }

  /**
   * /proc/stat as one snapshot: CPU seconds (each CPU and their sum), the kernel's counters and
   * the processes running (more while workloads are busy, `load` in [0, 1]) and blocked.
   */
  stat(now: Date, load: number): CpuStatSnapshot {
    const cpu = Array.from({ length: CPU_COUNT }, (_, i) => this.cpuTimes(now, i));
    const cpuTotal = Object.fromEntries(
      CPU_TIME_FIELDS.map((k) => [k, cpu.reduce((acc, t) => acc + t[k], 0)]),
    ) as unknown as CpuTimes;
    return {
      cpuTotal,
      cpu,
      ...this.counters(now),
      processRunning: 1 + Math.round(load * 2),
      processBlocked: 0,
    };
  }

  processes(now: Date, running: readonly RunningProcess[]): ProcessRow[] {
    const init: ProcessRow = {
      pid: 1,
      ppid: 0,
      state: "S",
      threads: 14,
      cpuTime: Math.round(this.uptime(now) * 0.012 * 100) / 100,
      virtualMemory: 1_412_345_856,
      residentMemory: 112_459_776,
      command: "init",
      executable: "/sbin/init",
      args: "/sbin/init",
      label: "init_t",
    };
    const rows = running.map((p, i): ProcessRow => {
      const executable = p.args[0] ?? "";
      const age = Math.max(0, (now.getTime() - p.startedAt.getTime()) / 1000);
      return {
        pid: p.pid,
        ppid: 1,
        state: "S",
        threads: 8 + (i % 5) * 3,
        cpuTime: Math.round(age * 0.004 * (1 + i) * 100) / 100,
        virtualMemory: (900 + i * 37) * 1_048_576,
        residentMemory: (24 + i * 9) * 1_048_576,
        command: executable.split("/").pop() ?? executable,
        executable,
        args: p.args.join(" "),
        label: "unconfined",
      };
    });
    return [init, ...rows].sort((a, b) => a.pid - b.pid);
  }

  /** Mounted filesystems: the system disk's partitions once the boot mounted them. */
  mounts(now: Date, mounted: boolean): MountRow[] {
    const rows: MountRow[] = [
      { filesystem: "rootfs", size: 0, available: 0, mountedOn: "/" },
      {
        filesystem: "tmpfs",
        size: MEM_TOTAL_KB * 512,
        available: MEM_TOTAL_KB * 512 - 8_192,
        mountedOn: "/run",
      },
      { filesystem: "tmpfs", size: 67_108_864, available: 66_977_792, mountedOn: "/system" },
    ];
    const disk = this.disks[0];
    if (mounted && disk) {
      const name = disk.devPath.replace(/^\/dev\//, "");
      const part = (n: number): string => `/dev/${name}${/\d$/.test(name) ? "p" : ""}${n}`;
      const state = 100 * 1_048_576;
      const ephemeral = Math.max(0, disk.size - 1_500 * 1_048_576);
      const used = Math.min(ephemeral, 600 * 1_048_576 + Math.floor(this.uptime(now)) * 4_096);
      rows.push({
        filesystem: part(5),
        size: state,
        available: state - 1_245_184,
        mountedOn: "/system/state",
      });
      rows.push({ filesystem: part(6), size: ephemeral, available: ephemeral - used, mountedOn: "/var" });
    }
    return rows;
  }
}
