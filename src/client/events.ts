// Machine events as a client sees them: the payload in `google.protobuf.Any` under Talos's
// type URLs (`talos/runtime/<full name>`) decoded into the generated message types, the time
// an event id carries, and the fields that say what happened.
import { createRegistry, type DescMessage, type Message, toJson } from "@bufbuild/protobuf";
import { anyUnpack } from "@bufbuild/protobuf/wkt";
import { Code } from "../gen/common/common_pb.js";
import {
  type AddressEvent,
  AddressEventSchema,
  type ConfigLoadErrorEvent,
  ConfigLoadErrorEventSchema,
  type ConfigValidationErrorEvent,
  ConfigValidationErrorEventSchema,
  type Event,
  type MachineStatusEvent,
  MachineStatusEvent_MachineStage,
  MachineStatusEventSchema,
  type PhaseEvent,
  PhaseEvent_Action,
  PhaseEventSchema,
  type RestartEvent,
  RestartEventSchema,
  type SequenceEvent,
  SequenceEvent_Action,
  SequenceEventSchema,
  type ServiceStateEvent,
  ServiceStateEvent_Action,
  ServiceStateEventSchema,
  type TaskEvent,
  TaskEvent_Action,
  TaskEventSchema,
} from "../gen/machine/machine_pb.js";

const EVENT_SCHEMAS = [
  SequenceEventSchema,
  PhaseEventSchema,
  TaskEventSchema,
  ServiceStateEventSchema,
  RestartEventSchema,
  ConfigLoadErrorEventSchema,
  ConfigValidationErrorEventSchema,
  AddressEventSchema,
  MachineStatusEventSchema,
] as const;

const REGISTRY = createRegistry(...EVENT_SCHEMAS);

/** One decoded event payload, tagged by its message type. */
export type EventPayload =
  | { readonly kind: "sequence"; readonly message: SequenceEvent }
  | { readonly kind: "phase"; readonly message: PhaseEvent }
  | { readonly kind: "task"; readonly message: TaskEvent }
  | { readonly kind: "service"; readonly message: ServiceStateEvent }
  | { readonly kind: "restart"; readonly message: RestartEvent }
  | { readonly kind: "config-load-error"; readonly message: ConfigLoadErrorEvent }
  | { readonly kind: "config-validation-error"; readonly message: ConfigValidationErrorEvent }
  | { readonly kind: "address"; readonly message: AddressEvent }
  | { readonly kind: "machine-status"; readonly message: MachineStatusEvent };

const KIND_BY_NAME: Readonly<Record<string, EventPayload["kind"]>> = {
  "machine.SequenceEvent": "sequence",
  "machine.PhaseEvent": "phase",
  "machine.TaskEvent": "task",
  "machine.ServiceStateEvent": "service",
  "machine.RestartEvent": "restart",
  "machine.ConfigLoadErrorEvent": "config-load-error",
  "machine.ConfigValidationErrorEvent": "config-validation-error",
  "machine.AddressEvent": "address",
  "machine.MachineStatusEvent": "machine-status",
};

export type DecodedEvent =
  /** The empty event a node sends first on every stream; clients skip it. */
  | { readonly kind: "hello"; readonly id: string }
  /** A payload type this client does not know (skipped, as talosctl skips it). */
  | { readonly kind: "unknown"; readonly id: string; readonly actorId: string; readonly typeUrl: string }
  | {
      readonly kind: "event";
      readonly id: string;
      readonly actorId: string;
      readonly typeUrl: string;
      /** The payload's full message name, e.g. `machine.TaskEvent`. */
      readonly typeName: string;
      readonly payload: EventPayload;
      /** The schema, for JSON output. */
      readonly schema: DescMessage;
    };

/** Decodes a streamed event; a payload that does not parse counts as unknown. */
export function decodeEvent(event: Event): DecodedEvent {
  const typeUrl = event.data?.typeUrl ?? "";
  if (typeUrl === "") return { kind: "hello", id: event.id };
  const typeName = typeUrl.slice(typeUrl.lastIndexOf("/") + 1);
  const kind = KIND_BY_NAME[typeName];
  const schema = kind !== undefined ? REGISTRY.getMessage(typeName) : undefined;
  let message: Message | undefined;
  if (schema && event.data) {
    try {
      message = anyUnpack(event.data, REGISTRY);
    } catch {
      message = undefined;
    }
  }
  if (kind === undefined || schema === undefined || message === undefined) {
    return { kind: "unknown", id: event.id, actorId: event.actorId, typeUrl };
  }
  return {
    kind: "event",
    id: event.id,
    actorId: event.actorId,
    typeUrl,
    typeName,
    payload: { kind, message } as EventPayload,
    schema,
  };
}

/** The payload as protobuf JSON (enum names, camelCase fields). */
export function eventPayloadJson(event: Extract<DecodedEvent, { kind: "event" }>): unknown {
  return toJson(event.schema, event.payload.message as Message, { registry: REGISTRY });
}

const XID_ALPHABET = "0123456789abcdefghijklmnopqrstuv";

/**
 * The time an event id was made: an rs/xid id is 20 base32hex characters whose first four
 * bytes are Unix seconds. Undefined when the id is not an xid.
 */
export function xidTime(id: string): Date | undefined {
  if (id.length !== 20) return undefined;
  let seconds = 0;
  // 32 bits = the first 6 characters (30 bits) plus the top 2 bits of the 7th.
  for (let i = 0; i < 7; i++) {
    const v = XID_ALPHABET.indexOf(id[i]!);
    if (v < 0) return undefined;
    seconds = i < 6 ? seconds * 32 + v : seconds * 4 + (v >> 3);
  }
  for (let i = 7; i < 20; i++) if (XID_ALPHABET.indexOf(id[i]!) < 0) return undefined;
  return new Date(seconds * 1000);
}

/** What an event says, as key/value pairs in a stable order (empty values omitted). */
export function eventFields(payload: EventPayload): [string, string][] {
  switch (payload.kind) {
    case "sequence": {
      const m = payload.message;
      const out: [string, string][] = [["sequence", m.sequence]];
      // A failure comes as a NOOP action carrying the error.
      if (m.error) out.push(["error", m.error.message], ["code", Code[m.error.code] ?? String(m.error.code)]);
      else out.push(["action", SequenceEvent_Action[m.action] ?? String(m.action)]);
      return out;
    }
    case "phase":
      return [
        ["phase", payload.message.phase],
        ["action", PhaseEvent_Action[payload.message.action] ?? String(payload.message.action)],
      ];
    case "task":
      return [
        ["task", payload.message.task],
        ["action", TaskEvent_Action[payload.message.action] ?? String(payload.message.action)],
      ];
    case "service": {
      const m = payload.message;
      const out: [string, string][] = [
        ["service", m.service],
        ["state", serviceStateName(m.action)],
        ["message", m.message],
      ];
      if (m.health && !m.health.unknown) out.push(["health", m.health.healthy ? "healthy" : "unhealthy"]);
      return out.filter(([, v]) => v !== "");
    }
    case "restart":
      return [["cmd", `0x${payload.message.cmd.toString(16)}`]];
    case "config-load-error":
    case "config-validation-error":
      return [["error", payload.message.error]];
    case "address":
      return [
        ["hostname", payload.message.hostname],
        ["addresses", payload.message.addresses.join(",")],
      ];
    case "machine-status": {
      const m = payload.message;
      const out: [string, string][] = [
        ["stage", MachineStatusEvent_MachineStage[m.stage] ?? String(m.stage)],
        ["ready", String(m.status?.ready ?? false)],
      ];
      const unmet = m.status?.unmetConditions ?? [];
      if (unmet.length > 0) {
        out.push([
          "unmet",
          unmet.map((c) => (c.reason !== "" ? `${c.name}: ${c.reason}` : c.name)).join("; "),
        ]);
      }
      return out;
    }
  }
}

/** Talos's state names for ServiceStateEvent actions (`Running`, `Waiting`, ...). */
export function serviceStateName(action: ServiceStateEvent_Action): string {
  const name = ServiceStateEvent_Action[action];
  if (name === undefined) return "Unknown";
  return name.charAt(0) + name.slice(1).toLowerCase();
}

/** The short type label of an event (`Sequence`, `ServiceState`, `MachineStatus`, ...). */
export function eventLabel(typeName: string): string {
  return typeName.replace(/^machine\./, "").replace(/Event$/, "");
}
