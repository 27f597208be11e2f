// The perf statistics as Talos's StatsController publishes them (siderolabs/talos:
// internal/app/machined/pkg/controllers/perf/perf.go): the singletons `latest` of CPUStats (from
// /proc/stat) and MemoryStats (from /proc/meminfo), read again every 30 seconds. The values come
// from the same emulated kernel as the SystemStat and Memory API calls.

import {
  CPUSpecSchema,
  CPUStatSchema,
  MemorySpecSchema,
} from "../../../gen/resource/definitions/perf/perf_pb.js";
import type { Clock, Timer } from "../../clock.js";
import type { CpuTimes, MemInfo } from "../../platform/index.js";
import { type Controller, messageKind, NS, type ResourceStore, spec } from "../../resources/index.js";
import { INPUT, type MachineSource } from "./source.js";

export const CPU_STATS = messageKind("CPUStats.perf.talos.dev", CPUSpecSchema);
export const MEMORY_STATS = messageKind("MemoryStats.perf.talos.dev", MemorySpecSchema);

/** How often Talos reads the statistics again. */
export const PERF_INTERVAL_MS = 30_000;
/** The shortest real interval between two reads, however fast the machine's clock runs. */
const MIN_REAL_INTERVAL_MS = 1_000;

/**
 * Calls `refresh` every PERF_INTERVAL_MS machine milliseconds (never more often than once a real
 * second: the statistics follow the wall clock) while the statistics are watched; unwatched, at
 * most once per PERF_INTERVAL_MS of real time, so a fast clock or many nodes in one process cost
 * little. The timer stops when cancelled.
 */
export function perfTicker(clock: Clock, store: Pick<ResourceStore, "watched">, refresh: () => void): Timer {
  let timer: Timer | undefined;
  let cancelled = false;
  let last = Date.now();
  const watched = () =>
    store.watched(NS.perf, CPU_STATS.definition.type) || store.watched(NS.perf, MEMORY_STATS.definition.type);
  const schedule = (): void => {
    timer = clock.after(Math.max(PERF_INTERVAL_MS, MIN_REAL_INTERVAL_MS * clock.scale), () => {
      if (cancelled) return;
      if (watched() || Date.now() - last >= PERF_INTERVAL_MS) {
        last = Date.now();
        refresh();
      }
      schedule();
    });
  };
  schedule();
  return {
    cancel: () => {
      cancelled = true;
      timer?.cancel();
    },
  };
}

const cpuStat = (t: CpuTimes) =>
  spec(CPUStatSchema, {
    user: t.user,
    nice: t.nice,
    system: t.system,
    idle: t.idle,
    iowait: t.iowait,
    irq: t.irq,
    softIrq: t.softIrq,
    steal: t.steal,
    guest: t.guest,
    guestNice: t.guestNice,
  });

/** MemoryStats from /proc/meminfo: each field is the kB value of the same name, used is total - free. */
export function memorySpec(info: MemInfo) {
  const values: Record<string, bigint> = {};
  for (const field of MemorySpecSchema.fields) {
    const value = info[field.localName.toLowerCase()];
    values[field.localName] = BigInt(value ?? 0);
  }
  values.memUsed = BigInt((info.memtotal ?? 0) - (info.memfree ?? 0));
  return spec(MemorySpecSchema, values);
}

const stats: Controller<MachineSource> = {
  name: "perf.StatsController",
  inputs: [INPUT.perf],
  run({ source, put }) {
    const now = source.now();
    const load = source.load();
    put(MEMORY_STATS, NS.perf, "latest", memorySpec(source.hardware.memory(now, load)));
    const s = source.hardware.stat(now, load);
    put(
      CPU_STATS,
      NS.perf,
      "latest",
      spec(CPUSpecSchema, {
        cpu: s.cpu.map(cpuStat),
        cpuTotal: cpuStat(s.cpuTotal),
        irqTotal: BigInt(s.irqTotal),
        contextSwitches: BigInt(s.contextSwitches),
        processCreated: BigInt(s.processCreated),
        processRunning: BigInt(s.processRunning),
        processBlocked: BigInt(s.processBlocked),
        softIrqTotal: BigInt(s.softIrqTotal),
      }),
    );
  },
};

export const PERF_CONTROLLERS: readonly Controller<MachineSource>[] = [stats];
