// Informational MachineService calls: Version, Hostname, ServiceList and the /proc-style
// statistics (Memory, LoadAvg, SystemStat, CPUInfo, Processes, Mounts).
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  CPUInfoResponseSchema,
  CPUInfoSchema,
  CPUStatSchema,
  CPUsInfoSchema,
  FeaturesInfoSchema,
  HostnameResponseSchema,
  HostnameSchema,
  LoadAvgResponseSchema,
  LoadAvgSchema,
  MachineService,
  MemInfoSchema,
  MemoryResponseSchema,
  MemorySchema,
  MountStatSchema,
  MountsResponseSchema,
  MountsSchema,
  PlatformInfoSchema,
  ProcessesResponseSchema,
  ProcessInfoSchema,
  ProcessSchema,
  ServiceEventSchema,
  ServiceEventsSchema,
  ServiceHealthSchema,
  ServiceInfoSchema,
  ServiceListResponseSchema,
  ServiceListSchema,
  SoftIRQStatSchema,
  SystemStatResponseSchema,
  SystemStatSchema,
  VersionInfoSchema,
  VersionResponseSchema,
  VersionSchema,
} from "../../gen/machine/machine_pb.js";
import { BlockFilesystemType } from "../../gen/resource/definitions/enums/enums_pb.js";
import { buildSha } from "../../version.js";
import { legacyDocument, type Machine } from "../machine/index.js";
import { CPU_COUNT, type CpuTimes } from "../platform/index.js";
import { type HandlerEntry, type NodeRuntime, unary } from "./define.js";

function goArch(): string {
  return process.arch === "x64" ? "amd64" : process.arch;
}

function activity(machine: Machine): number {
  return machine.workloads.activity();
}

function cpuStat(t: CpuTimes) {
  return create(CPUStatSchema, {
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
}

function sumTimes(list: readonly CpuTimes[]): CpuTimes {
  const keys = [
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
  ] as const;
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = list.reduce((acc, t) => acc + t[k], 0);
  return out as unknown as CpuTimes;
}

export function infoHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.version, async () => {
      const m = rt.machine;
      const configured = legacyDocument(m.config.active)?.data.machine !== undefined;
      return create(VersionResponseSchema, {
        messages: [
          create(VersionSchema, {
            version: create(VersionInfoSchema, {
              tag: m.talosVersion,
              sha: buildSha(),
              built: "",
              goVersion: `node ${process.version}`,
              os: "linux",
              arch: goArch(),
            }),
            platform: create(PlatformInfoSchema, { name: m.platform.name, mode: m.platform.mode }),
            ...(configured ? { features: create(FeaturesInfoSchema, { rbac: true }) } : {}),
          }),
        ],
      });
    }),

    unary(MachineService.method.hostname, async () =>
      create(HostnameResponseSchema, {
        messages: [create(HostnameSchema, { hostname: rt.machine.hostname })],
      }),
    ),

    unary(MachineService.method.serviceList, async () => {
      const services = rt.machine.services.list().map((s) =>
        create(ServiceInfoSchema, {
          id: s.id,
          state: s.state,
          events: create(ServiceEventsSchema, {
            events: s.events.map((e) =>
              create(ServiceEventSchema, { msg: e.msg, state: e.state, ts: timestampFromDate(e.ts) }),
            ),
          }),
          health: create(ServiceHealthSchema, {
            unknown: s.health.unknown,
            healthy: s.health.healthy,
            lastMessage: s.health.lastMessage,
            ...(s.health.lastChange ? { lastChange: timestampFromDate(s.health.lastChange) } : {}),
          }),
        }),
      );
      return create(ServiceListResponseSchema, { messages: [create(ServiceListSchema, { services })] });
    }),

    unary(MachineService.method.memory, async () => {
      const m = rt.machine;
      const info = m.hardware.memory(rt.clock.now(), activity(m));
      const meminfo = create(MemInfoSchema);
      for (const [k, v] of Object.entries(info))
        (meminfo as unknown as Record<string, bigint>)[k] = BigInt(v);
      return create(MemoryResponseSchema, { messages: [create(MemorySchema, { meminfo })] });
    }),

    unary(MachineService.method.loadAvg, async () => {
      const m = rt.machine;
      return create(LoadAvgResponseSchema, {
        messages: [create(LoadAvgSchema, m.hardware.loadAvg(rt.clock.now(), activity(m)))],
      });
    }),

    unary(MachineService.method.systemStat, async () => {
      const m = rt.machine;
      const now = rt.clock.now();
      const cpus = Array.from({ length: CPU_COUNT }, (_, i) => m.hardware.cpuTimes(now, i));
      const c = m.hardware.counters(now);
      const share = (n: number, f: number) => BigInt(Math.floor(n * f));
      return create(SystemStatResponseSchema, {
        messages: [
          create(SystemStatSchema, {
            bootTime: BigInt(Math.floor(m.hardware.bootTime.getTime() / 1000)),
            cpuTotal: cpuStat(sumTimes(cpus)),
            cpu: cpus.map(cpuStat),
            irqTotal: BigInt(c.irqTotal),
            irq: [share(c.irqTotal, 0.02), share(c.irqTotal, 0.55), share(c.irqTotal, 0.43)],
            contextSwitches: BigInt(c.contextSwitches),
            processCreated: BigInt(c.processCreated),
            processRunning: BigInt(1 + Math.round(activity(m) * 2)),
            processBlocked: 0n,
            softIrqTotal: BigInt(c.softIrqTotal),
            softIrq: create(SoftIRQStatSchema, {
              hi: share(c.softIrqTotal, 0.001),
              timer: share(c.softIrqTotal, 0.35),
              netTx: share(c.softIrqTotal, 0.01),
              netRx: share(c.softIrqTotal, 0.12),
              block: share(c.softIrqTotal, 0.05),
              blockIoPoll: 0n,
              tasklet: share(c.softIrqTotal, 0.004),
              sched: share(c.softIrqTotal, 0.3),
              hrtimer: share(c.softIrqTotal, 0.002),
              rcu: share(c.softIrqTotal, 0.163),
            }),
          }),
        ],
      });
    }),

    unary(MachineService.method.cPUInfo, async () => {
      const cpus = Array.from({ length: CPU_COUNT }, (_, i) =>
        create(CPUInfoSchema, {
          processor: i,
          vendorId: "AuthenticAMD",
          cpuFamily: "25",
          model: "1",
          modelName: "AMD EPYC Processor",
          stepping: "1",
          microcode: "0x1000065",
          cpuMhz: 2_445.406,
          cacheSize: "512 KB",
          physicalId: "0",
          siblings: CPU_COUNT,
          coreId: String(i),
          cpuCores: CPU_COUNT,
          apicId: String(i),
          initialApicId: String(i),
          fpu: "yes",
          fpuException: "yes",
          cpuIdLevel: 16,
          wp: "yes",
          flags: [
            "fpu",
            "vme",
            "de",
            "pse",
            "tsc",
            "msr",
            "pae",
            "mce",
            "cx8",
            "apic",
            "sse",
            "sse2",
            "ht",
            "syscall",
            "nx",
            "lm",
            "avx",
            "avx2",
            "aes",
          ],
          bugs: ["sysret_ss_attrs", "spectre_v1", "spectre_v2", "spec_store_bypass"],
          bogoMips: 4_890.81,
          clFlushSize: 64,
          cacheAlignment: 64,
          addressSizes: "40 bits physical, 48 bits virtual",
          powerManagement: "",
        }),
      );
      return create(CPUInfoResponseSchema, { messages: [create(CPUsInfoSchema, { cpuInfo: cpus })] });
    }),

    unary(MachineService.method.processes, async () => {
      const processes = rt.machine.workloads.processes().map((p) =>
        create(ProcessInfoSchema, {
          ...p,
          virtualMemory: BigInt(p.virtualMemory),
          residentMemory: BigInt(p.residentMemory),
        }),
      );
      return create(ProcessesResponseSchema, { messages: [create(ProcessSchema, { processes })] });
    }),

    unary(MachineService.method.mounts, async () => {
      const m = rt.machine;
      const rows = m.hardware.mounts(rt.clock.now(), m.volumes.mounted);
      // Volumes mounted from partitions besides the system ones (user volumes under /var/mnt).
      for (const ms of m.store.list("runtime", "MountStatuses.block.talos.dev")) {
        const s = ms.spec as { source?: string; target?: string; filesystem?: number };
        if (!s.source?.startsWith("/dev/") || !s.target || rows.some((r) => r.mountedOn === s.target))
          continue;
        if (s.filesystem === BlockFilesystemType.FILESYSTEM_TYPE_SWAP) continue;
        const size = Number(
          (m.store.get("runtime", "VolumeStatuses.block.talos.dev", ms.id)?.spec as { size?: bigint })
            ?.size ?? 0n,
        );
        rows.push({
          filesystem: s.source,
          size,
          available: Math.max(0, size - 33_554_432),
          mountedOn: s.target,
        });
      }
      const stats = rows.map((r) =>
        create(MountStatSchema, {
          filesystem: r.filesystem,
          size: BigInt(r.size),
          available: BigInt(r.available),
          mountedOn: r.mountedOn,
        }),
      );
      return create(MountsResponseSchema, { messages: [create(MountsSchema, { stats })] });
    }),
  ];
}
