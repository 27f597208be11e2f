// System information from the platform layer: containers and their resource use (both
// containerd namespaces), the disks (storage.StorageService), and time (time.TimeService).
import { create } from "@bufbuild/protobuf";
import { type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";
import {
  ContainerInfoSchema,
  ContainerSchema,
  ContainersResponseSchema,
  MachineService,
  StatSchema,
  StatsResponseSchema,
  StatsSchema,
} from "../../gen/machine/machine_pb.js";
import {
  Disk_DiskType,
  DiskSchema,
  DisksResponseSchema,
  DisksSchema,
  StorageService,
} from "../../gen/storage/storage_pb.js";
import { TimeResponseSchema, TimeSchema, TimeService } from "../../gen/time/time_pb.js";
import { type Machine, timeServers } from "../machine/index.js";
import { diskFacts } from "../platform/index.js";
import { type HandlerEntry, type NodeRuntime, unary } from "./define.js";
import { containerDriver } from "./logs.js";

const DISK_TYPE: Readonly<Record<string, Disk_DiskType>> = {
  ssd: Disk_DiskType.SSD,
  hdd: Disk_DiskType.HDD,
  nvme: Disk_DiskType.NVME,
  sd: Disk_DiskType.SD,
};

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const IP = /^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-f:]+$/i;

/**
 * What an NTP query of `server` answers: the server's clock, a little off the node's (a
 * stable skew per server of under 5 ms, as a synced node sees). A name that is not a
 * hostname or an address fails the lookup.
 */
export function ntpAnswer(server: string, now: Date): { server: string; local: number; remote: number } {
  if (!HOST_NAME.test(server) && !IP.test(server)) {
    throw new Error(`error querying NTP server "${server}": lookup ${server}: no such host`);
  }
  let h = 0;
  for (const c of server) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  const skewMs = ((h % 9000) - 4500) / 1000;
  const local = now.getTime();
  return { server, local, remote: local + skewMs };
}

/** A Timestamp from epoch milliseconds with a fraction (microsecond precision kept). */
function timestamp(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000);
  return create(TimestampSchema, {
    seconds: BigInt(seconds),
    nanos: Math.round((ms - seconds * 1000) * 1e6) % 1e9,
  });
}

function timeReply(m: Machine, server: string) {
  const answer = ntpAnswer(server, m.now());
  return create(TimeResponseSchema, {
    messages: [
      create(TimeSchema, {
        server: answer.server,
        localtime: timestamp(answer.local),
        remotetime: timestamp(answer.remote),
      }),
    ],
  });
}

export function systemHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.containers, async (req) => {
      const m = rt.machine;
      const driver = containerDriver(req.namespace, req.driver);
      const containers = m.workloads.containers(req.namespace, driver).map((c) =>
        create(ContainerInfoSchema, {
          namespace: req.namespace,
          id: c.id,
          image: c.image,
          pid: c.pid,
          status: c.status,
          podId: c.podId,
          name: c.name,
          networkNamespace: c.networkNamespace,
          internalId: c.internalId,
          uid: c.uid,
        }),
      );
      return create(ContainersResponseSchema, { messages: [create(ContainerSchema, { containers })] });
    }),

    unary(MachineService.method.stats, async (req) => {
      const m = rt.machine;
      const driver = containerDriver(req.namespace, req.driver);
      const stats = m.workloads.containers(req.namespace, driver).map((c) =>
        create(StatSchema, {
          namespace: req.namespace,
          id: c.id,
          memoryUsage: BigInt(c.memoryBytes),
          cpuUsage: BigInt(c.cpuNanos),
          podId: c.podId,
          name: c.name,
        }),
      );
      return create(StatsResponseSchema, { messages: [create(StatsSchema, { stats })] });
    }),

    unary(StorageService.method.disks, async () => {
      const m = rt.machine;
      const disks = m.disks.map((disk, i) => {
        const f = diskFacts(disk);
        return create(DiskSchema, {
          size: BigInt(f.size),
          model: f.model,
          deviceName: f.devPath,
          name: f.name,
          serial: f.serial,
          modalias: f.modalias,
          wwid: f.wwid,
          type: DISK_TYPE[f.type] ?? Disk_DiskType.UNKNOWN,
          busPath: f.busPath,
          systemDisk: i === 0 && m.installed,
          subsystem: "/sys/class/block",
          readonly: false,
        });
      });
      return create(DisksResponseSchema, { messages: [create(DisksSchema, { disks })] });
    }),

    unary(TimeService.method.time, async () => {
      const m = rt.machine;
      return timeReply(m, timeServers(m.config.active)[0]!);
    }),

    unary(TimeService.method.timeCheck, async (req) => {
      const m = rt.machine;
      return timeReply(m, req.server !== "" ? req.server : timeServers(m.config.active)[0]!);
    }),
  ];
}
