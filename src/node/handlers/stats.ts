// The device counters talosctl's dashboard polls: NetworkDeviceStats (/proc/net/dev) and
// DiskStats (/proc/diskstats), each with its devices and their sum as `total`.
import { create } from "@bufbuild/protobuf";
import {
  DiskStatSchema,
  DiskStatsResponseSchema,
  DiskStatsSchema,
  MachineService,
  NetDevSchema,
  NetworkDeviceStatsResponseSchema,
  NetworkDeviceStatsSchema,
} from "../../gen/machine/machine_pb.js";
import { type HandlerEntry, type NodeRuntime, unary } from "./define.js";

export function statsHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.networkDeviceStats, async () => {
      const m = rt.machine;
      const rows = m.hardware.netDevices(rt.clock.now(), m.workloads.activity());
      const dev = (r: (typeof rows)[number]) =>
        create(NetDevSchema, {
          name: r.name,
          rxBytes: BigInt(r.rxBytes),
          rxPackets: BigInt(r.rxPackets),
          txBytes: BigInt(r.txBytes),
          txPackets: BigInt(r.txPackets),
        });
      const sum = (k: "rxBytes" | "rxPackets" | "txBytes" | "txPackets") =>
        rows.reduce((a, r) => a + r[k], 0);
      const total = {
        name: "total",
        rxBytes: sum("rxBytes"),
        rxPackets: sum("rxPackets"),
        txBytes: sum("txBytes"),
        txPackets: sum("txPackets"),
      };
      return create(NetworkDeviceStatsResponseSchema, {
        messages: [create(NetworkDeviceStatsSchema, { total: dev(total), devices: rows.map(dev) })],
      });
    }),

    unary(MachineService.method.diskStats, async () => {
      const m = rt.machine;
      const rows = m.hardware.diskCounters(rt.clock.now(), m.workloads.activity());
      const stat = (r: (typeof rows)[number]) =>
        create(DiskStatSchema, {
          name: r.name,
          readCompleted: BigInt(r.readCompleted),
          readSectors: BigInt(r.readSectors),
          writeCompleted: BigInt(r.writeCompleted),
          writeSectors: BigInt(r.writeSectors),
        });
      const sum = (k: "readCompleted" | "readSectors" | "writeCompleted" | "writeSectors") =>
        rows.reduce((a, r) => a + r[k], 0);
      const total = {
        name: "total",
        readCompleted: sum("readCompleted"),
        readSectors: sum("readSectors"),
        writeCompleted: sum("writeCompleted"),
        writeSectors: sum("writeSectors"),
      };
      return create(DiskStatsResponseSchema, {
        messages: [create(DiskStatsSchema, { total: stat(total), devices: rows.map(stat) })],
      });
    }),
  ];
}
