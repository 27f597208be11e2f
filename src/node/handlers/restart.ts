// MachineService.Restart (siderolabs/talos:
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go): finds the container by
// id in the namespace the request names and sends its task SIGTERM. A system service's restart
// runner then starts it again; a pod's container is started again by the kubelet. Unknown ids
// fail as Talos's inspector does (a plain error).
import { create } from "@bufbuild/protobuf";
import { MachineService, RestartResponseSchema, RestartSchema } from "../../gen/machine/machine_pb.js";
import { KUBERNETES_NAMESPACE, SYSTEM_NAMESPACE } from "../../wire/index.js";
import type { Machine } from "../machine/index.js";
import { type ContainerRecord, findPodContainer } from "../platform/index.js";
import { type HandlerEntry, invalidArgument, type NodeRuntime, unary } from "./define.js";
import { containerDriver } from "./logs.js";

/** The container `id` names, as Talos's containerd or CRI inspector finds it. */
export function findContainer(
  m: Machine,
  namespace: string,
  driver: "cri" | "containerd",
  id: string,
): ContainerRecord | undefined {
  const records = m.workloads.containers(namespace, driver);
  if (driver === "cri") {
    // `<namespace>/<pod>` names a sandbox, `<namespace>/<pod>:<container>` a container.
    if (!id.includes("/")) return undefined;
    return findPodContainer(records, id);
  }
  const slash = id.indexOf("/");
  if (slash > 0) {
    // Kubernetes-looking ids are looked up by their labels through the containerd driver too.
    const cri = m.workloads.containers(namespace, "cri");
    const named = findPodContainer(cri, id);
    return named ? records.find((r) => r.internalId === named.internalId) : undefined;
  }
  return records.find((r) => r.id === id);
}

export function restartHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.restart, async (req) => {
      const m = rt.machine;
      if (req.namespace === "") throw invalidArgument("namespace can't be empty");
      const driver = containerDriver(req.namespace, req.driver);
      const record = findContainer(m, req.namespace, driver, req.id);
      if (!record) throw new Error(`container ${JSON.stringify(req.id)} not found`);
      const killed =
        req.namespace === SYSTEM_NAMESPACE
          ? m.services.killTask(record.id)
          : req.namespace === KUBERNETES_NAMESPACE && m.workloads.restartPodContainer(record);
      if (!killed) throw new Error(`container ${JSON.stringify(req.id)} not found`);
      return create(RestartResponseSchema, { messages: [create(RestartSchema, {})] });
    }),
  ];
}
