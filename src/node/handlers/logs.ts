// MachineService.Logs, LogsContainers and Dmesg: service logs from the machine's in-memory
// buffers (or a Kubernetes container's log), and the kernel log, streamed as common.Data.
// Followers wait for new output and keep going across service restarts; every send waits for
// the transport, and a follower that fell a whole buffer behind gets DATA_LOSS.
import { create } from "@bufbuild/protobuf";
import { ContainerDriver, DataSchema } from "../../gen/common/common_pb.js";
import {
  LogsContainerSchema,
  LogsContainersResponseSchema,
  MachineService,
} from "../../gen/machine/machine_pb.js";
import { KUBERNETES_NAMESPACE, SYSTEM_NAMESPACE } from "../../wire/index.js";
import { KmsgCursor, LogCursor, type LogRing, type Machine } from "../machine/index.js";
import { findPodContainer, podLogKey } from "../platform/index.js";
import {
  callSignal,
  DATA_CHUNK_BYTES,
  type HandlerEntry,
  invalidArgument,
  liveStream,
  type NodeRuntime,
  serverStream,
  unary,
} from "./define.js";

/** Which containerd a request reaches (Talos's container inspector choice), or the error it gets. */
export function containerDriver(namespace: string, driver: ContainerDriver): "cri" | "containerd" {
  switch (driver) {
    case ContainerDriver.CRI:
      if (namespace !== KUBERNETES_NAMESPACE)
        throw new Error("CRI inspector is supported only for K8s namespace");
      return "cri";
    case ContainerDriver.CONTAINERD:
      return "containerd";
    default:
      throw invalidArgument(`unsupported driver "${ContainerDriver[driver] ?? String(driver)}"`);
  }
}

/** The buffer a LogsRequest reads (a service's, or a Kubernetes container's). */
function logSource(
  m: Machine,
  namespace: string,
  id: string,
  driver: ContainerDriver,
  follow: boolean,
): LogRing {
  if (namespace === SYSTEM_NAMESPACE || id === "kubelet") {
    // A follower registers the buffer, as Talos's log manager does, so it may start
    // following a service before the service has logged anything.
    const ring = follow ? m.logs.ring(id) : m.logs.get(id);
    if (!ring) throw new Error(`log "${id}" was not registered`);
    return ring;
  }
  if (namespace === "") throw invalidArgument("namespace can't be empty");
  const kind = containerDriver(namespace, driver);
  const record = findPodContainer(m.workloads.containers(namespace, kind), id);
  if (!record) throw new Error(`container "${id}" not found`);
  return m.containerLogs.ring(podLogKey(record));
}

export function logsHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    serverStream(MachineService.method.logs, async (req, caller, send) => {
      const m = rt.machine;
      const ring = logSource(m, req.namespace, req.id, req.driver, req.follow);
      const signal = callSignal(caller, m);
      // Negative: everything held; 0: only what comes next; N: the last N lines.
      const cursor = new LogCursor(
        ring,
        req.tailLines < 0 ? "all" : { tailLines: req.tailLines },
        req.follow,
      );
      await liveStream(m, "logs-stream", async () => {
        while (!signal.aborted) {
          const bytes = await cursor.next(DATA_CHUNK_BYTES, signal);
          if (!bytes) return;
          await send(create(DataSchema, { bytes }));
        }
      });
    }),

    unary(MachineService.method.logsContainers, async () =>
      create(LogsContainersResponseSchema, {
        messages: [create(LogsContainerSchema, { ids: rt.machine.logs.ids() })],
      }),
    ),

    serverStream(MachineService.method.dmesg, async (req, caller, send) => {
      const m = rt.machine;
      const signal = callSignal(caller, m);
      const cursor = new KmsgCursor(m.kmsg, { follow: req.follow, tail: req.tail });
      await liveStream(m, "dmesg-stream", async () => {
        while (!signal.aborted) {
          const record = await cursor.next(signal);
          if (!record) return;
          await send(create(DataSchema, { bytes: Buffer.from(m.kmsg.format(record), "utf8") }));
        }
      });
    }),
  ];
}
