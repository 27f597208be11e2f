// ServiceStart, ServiceStop and ServiceRestart (siderolabs/talos:
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go): only services that allow it
// may be driven through the API (the kubelet may be started and restarted, extension services
// everything); errors are plain (code Unknown), replies name the service.
import { create } from "@bufbuild/protobuf";
import {
  MachineService,
  ServiceRestartResponseSchema,
  ServiceRestartSchema,
  ServiceStartResponseSchema,
  ServiceStartSchema,
  ServiceStopResponseSchema,
  ServiceStopSchema,
} from "../../gen/machine/machine_pb.js";
import type { Machine, ServiceDefinition } from "../machine/index.js";
import { type HandlerEntry, type NodeRuntime, unary } from "./define.js";

type Operation = "start" | "stop" | "restart";

/** The service's definition, if the API may run `op` on it; the Talos error otherwise. */
function allowed(m: Machine, id: string, op: Operation): ServiceDefinition {
  const def = m.services.definition(id);
  if (!def) throw new Error(`service "${id}" not defined`);
  const permitted = id.startsWith("ext-") || def.api[op];
  if (!permitted) throw new Error(`service "${id}" doesn't support ${op} operation via API`);
  return def;
}

export function serviceControlHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.serviceStart, async (req) => {
      const m = rt.machine;
      // Starting a running service does nothing; after denyNewServices nothing starts at all.
      m.services.start(allowed(m, req.id, "start"));
      return create(ServiceStartResponseSchema, {
        messages: [create(ServiceStartSchema, { resp: `Service "${req.id}" started` })],
      });
    }),

    unary(MachineService.method.serviceStop, async (req) => {
      const m = rt.machine;
      allowed(m, req.id, "stop");
      await m.services.stop(req.id);
      return create(ServiceStopResponseSchema, {
        messages: [create(ServiceStopSchema, { resp: `Service "${req.id}" stopped` })],
      });
    }),

    unary(MachineService.method.serviceRestart, async (req) => {
      const m = rt.machine;
      const def = allowed(m, req.id, "restart");
      await m.services.stop(req.id);
      m.services.start(def);
      return create(ServiceRestartResponseSchema, {
        messages: [create(ServiceRestartSchema, { resp: `Service "${req.id}" restarted` })],
      });
    }),
  ];
}
