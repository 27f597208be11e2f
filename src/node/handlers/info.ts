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
import { type CpuTimes, cpuInfo } from "../platform/index.js";
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
      const c = m.hardware.stat(now, activity(m));
      const share = (n: number, f: number) => BigInt(Math.floor(n * f));
      return create(SystemStatResponseSchema, {
        messages: [
          create(SystemStatSchema, {
            bootTime: BigInt(Math.floor(m.hardware.bootTime.getTime() / 1000)),
            cpuTotal: cpuStat(c.cpuTotal),
            cpu: c.cpu.map(cpuStat),
            irqTotal: BigInt(c.irqTotal),
            irq: [share(c.irqTotal, 0.02), share(c.irqTotal, 0.55), share(c.irqTotal, 0.43)],
            contextSwitches: BigInt(c.contextSwitches),
            processCreated: BigInt(c.processCreated),
            processRunning: BigInt(c.processRunning),
            processBlocked: BigInt(c.processBlocked),
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
      const cpus = cpuInfo().map((c) =>
        create(CPUInfoSchema, { ...c, flags: [...c.flags], bugs: [...c.bugs] }),
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
