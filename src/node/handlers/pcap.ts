// MachineService.PacketCapture (siderolabs/talos:
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go): a pcap stream of what
// crosses one of the node's links, the file header first, then one record per packet, until
// the client goes away. A BPF program (as `tcpdump -dd` prints one) is checked and attached as
// the kernel would; records are cut to the snap length (4096 bytes unless asked otherwise).
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { DataSchema } from "../../gen/common/common_pb.js";
import { MachineService } from "../../gen/machine/machine_pb.js";
import { StatusError } from "../errors.js";
import {
  BpfError,
  type BpfInstruction,
  DEFAULT_SNAPLEN,
  validateProgram,
} from "../platform/network/index.js";
import { callSignal, type HandlerEntry, liveStream, type NodeRuntime, serverStream } from "./define.js";

export function pcapHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    serverStream(MachineService.method.packetCapture, async (req, caller, send) => {
      const m = rt.machine;
      const hub = rt.network.capture;
      const link = hub.link(req.interface);
      if (!link)
        throw new StatusError(grpc.status.NOT_FOUND, `interface ${JSON.stringify(req.interface)} not found`);
      const filter: BpfInstruction[] = req.bpfFilter.map((i) => ({
        op: i.op & 0xffff,
        jt: i.jt & 0xff,
        jf: i.jf & 0xff,
        k: i.k >>> 0,
      }));
      if (filter.length > 0) {
        try {
          validateProgram(filter);
        } catch (err) {
          if (err instanceof BpfError) throw new Error("error setting BPF filter: invalid argument");
          throw err;
        }
      }
      const snaplen = req.snapLen === 0 ? DEFAULT_SNAPLEN : req.snapLen;
      const signal = callSignal(caller, m);
      const capture = hub.open({ link, snaplen, ...(filter.length > 0 ? { filter } : {}) });
      try {
        await liveStream(m, "pcap-stream", async () => {
          await send(create(DataSchema, { bytes: capture.header }));
          while (!signal.aborted) {
            for (const record of await capture.take(signal)) {
              if (signal.aborted) return;
              await send(create(DataSchema, { bytes: record }));
            }
          }
        });
      } finally {
        capture.close();
        m.log(
          `pcap: packets captured ${capture.packets}, polls ${capture.polls}, socket stats: drops ${capture.drops}, packets ${capture.packets + capture.drops}, queue freezes 0`,
        );
      }
    }),
  ];
}
