// The polled side of a node: the machine statistics answered at each update interval, the
// differences from the previous answer (CPU time, counters), and the time series the graphs
// draw (siderolabs/talos: internal/pkg/dashboard/apidata).
import type {
  CPUStat,
  CPUsFreqStats,
  CPUsInfo,
  DiskStats,
  LoadAvg,
  Memory,
  NetworkDeviceStats,
  Process,
  SystemStat,
} from "../../../gen/machine/machine_pb.js";

/** Points kept per series; graphs show the newest that fit. */
export const MAX_POINTS = 1000;

export const SERIES = [
  "mem",
  "user",
  "system",
  "loadavg",
  "netrxbytes",
  "nettxbytes",
  "diskrdsectors",
  "diskwrsectors",
] as const;
export type SeriesName = (typeof SERIES)[number];

/** One poll's answers; a call the node does not serve (or that failed) leaves its field out. */
export interface Sample {
  readonly at: number;
  loadAvg?: LoadAvg;
  memory?: Memory;
  systemStat?: SystemStat;
  cpuInfo?: CPUsInfo;
  cpuFreq?: CPUsFreqStats;
  netDev?: NetworkDeviceStats;
  disk?: DiskStats;
  processes?: Process;
}

export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softIrq: number;
  steal: number;
}

/** Counters as differences between the last two samples. */
export interface SampleDiff {
  cpu?: CpuTimes;
  contextSwitches: number;
  processCreated: number;
  netRxBytes: number;
  netTxBytes: number;
  diskReadSectors: number;
  diskWriteSectors: number;
  /** pid → CPU seconds used over the interval. */
  procCpu: Map<number, number>;
}

function cpuDiff(a: CPUStat | undefined, b: CPUStat | undefined): CpuTimes | undefined {
  if (!a || !b) return undefined;
  return {
    user: b.user - a.user,
    nice: b.nice - a.nice,
    system: b.system - a.system,
    idle: b.idle - a.idle,
    iowait: b.iowait - a.iowait,
    irq: b.irq - a.irq,
    softIrq: b.softIrq - a.softIrq,
    steal: b.steal - a.steal,
  };
}

/** A counter's growth; a counter that went back (the node rebooted) counts from zero. */
function grow(a: bigint | undefined, b: bigint | undefined): number {
  if (a === undefined || b === undefined) return 0;
  return b >= a ? Number(b - a) : Number(b);
}

export function diffSamples(prev: Sample | undefined, next: Sample): SampleDiff {
  const procCpu = new Map<number, number>();
  if (prev?.processes && next.processes) {
    const before = new Map(prev.processes.processes.map((p) => [p.pid, p.cpuTime]));
    for (const p of next.processes.processes)
      procCpu.set(p.pid, Math.max(0, p.cpuTime - (before.get(p.pid) ?? p.cpuTime)));
  }
  const rebooted =
    prev?.systemStat && next.systemStat && prev.systemStat.bootTime !== next.systemStat.bootTime;
  const base = rebooted ? undefined : prev;
  // After a reboot the counters started again from zero.
  const from = (v: bigint | undefined): bigint | undefined => (rebooted ? 0n : v);
  return {
    ...(base ? { cpu: cpuDiff(base.systemStat?.cpuTotal, next.systemStat?.cpuTotal) } : {}),
    contextSwitches: grow(from(prev?.systemStat?.contextSwitches), next.systemStat?.contextSwitches),
    processCreated: grow(from(prev?.systemStat?.processCreated), next.systemStat?.processCreated),
    netRxBytes: grow(from(prev?.netDev?.total?.rxBytes), next.netDev?.total?.rxBytes),
    netTxBytes: grow(from(prev?.netDev?.total?.txBytes), next.netDev?.total?.txBytes),
    diskReadSectors: grow(from(prev?.disk?.total?.readSectors), next.disk?.total?.readSectors),
    diskWriteSectors: grow(from(prev?.disk?.total?.writeSectors), next.disk?.total?.writeSectors),
    procCpu,
  };
}

export type CpuUsageName = keyof CpuTimes | "usage" | "total" | "totalWeighted";

/** A share of CPU time over the last interval, as Talos's dashboard computes it. */
export function cpuUsage(diff: SampleDiff | undefined, name: CpuUsageName, cpus = 0): number {
  const c = diff?.cpu;
  if (!c) return 0;
  const idle = c.idle + c.iowait;
  const total = idle + c.user + c.nice + c.system + c.irq + c.steal + c.softIrq;
  if (total === 0) return 0;
  switch (name) {
    case "usage":
      return (total - idle) / total;
    case "total":
      return total;
    case "totalWeighted":
      return cpus > 0 ? total / cpus : total;
    default:
      return c[name] / total;
  }
}

/** Used memory (total - free - cached - buffers) as a share of the total. */
export function memUsage(memory: Memory | undefined): number {
  const m = memory?.meminfo;
  if (!m || m.memtotal === 0n) return 0;
  const used = m.memtotal - m.memfree - m.cached - m.buffers;
  return Number(used) / Number(m.memtotal);
}

/** Appends the newest point of each series, keeping at most MAX_POINTS. */
export function extendSeries(series: Map<SeriesName, number[]>, sample: Sample, diff: SampleDiff): void {
  const values: Record<SeriesName, number> = {
    mem: memUsage(sample.memory),
    user: cpuUsage(diff, "user"),
    system: cpuUsage(diff, "system"),
    loadavg: sample.loadAvg?.load1 ?? 0,
    netrxbytes: diff.netRxBytes,
    nettxbytes: diff.netTxBytes,
    diskrdsectors: diff.diskReadSectors,
    diskwrsectors: diff.diskWriteSectors,
  };
  for (const name of SERIES) {
    let list = series.get(name);
    if (!list) {
      list = [];
      series.set(name, list);
    }
    list.push(values[name]);
    if (list.length > MAX_POINTS) list.splice(0, list.length - MAX_POINTS);
  }
}
