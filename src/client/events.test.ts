import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { Code } from "../gen/common/common_pb.js";
import {
  EventSchema,
  MachineStatusEvent_MachineStage,
  MachineStatusEventSchema,
  SequenceEvent_Action,
  SequenceEventSchema,
  ServiceStateEvent_Action,
  ServiceStateEventSchema,
} from "../gen/machine/machine_pb.js";
import { decodeEvent, eventFields, eventLabel, eventPayloadJson, xidTime } from "./events.js";

function event(typeUrl: string, value: Uint8Array, id = "d2iq4ld3s5fqdgdo2vv0", actorId = "") {
  return create(EventSchema, { id, actorId, data: create(AnySchema, { typeUrl, value }) });
}

describe("decodeEvent", () => {
  it("recognises the hello event and payload types it does not know", () => {
    expect(decodeEvent(event("", new Uint8Array())).kind).toBe("hello");
    expect(decodeEvent(event("talos/runtime/machine.FutureEvent", new Uint8Array([1, 2]))).kind).toBe(
      "unknown",
    );
  });

  it("decodes talos/runtime/ type URLs into the generated messages", () => {
    const value = toBinary(
      ServiceStateEventSchema,
      create(ServiceStateEventSchema, {
        service: "etcd",
        action: ServiceStateEvent_Action.RUNNING,
        message: "Health check successful",
        health: { healthy: true },
      }),
    );
    const d = decodeEvent(
      event("talos/runtime/machine.ServiceStateEvent", value, "d2iq4ld3s5fqdgdo2vv0", "a1"),
    );
    expect(d.kind).toBe("event");
    if (d.kind !== "event") return;
    expect(eventLabel(d.typeName)).toBe("ServiceState");
    expect(eventFields(d.payload)).toEqual([
      ["service", "etcd"],
      ["state", "Running"],
      ["message", "Health check successful"],
      ["health", "healthy"],
    ]);
    expect(eventPayloadJson(d)).toEqual({
      service: "etcd",
      action: "RUNNING",
      message: "Health check successful",
      health: { healthy: true },
    });
  });

  it("says what failed for a sequence error and lists unmet conditions", () => {
    const seq = decodeEvent(
      event(
        "talos/runtime/machine.SequenceEvent",
        toBinary(
          SequenceEventSchema,
          create(SequenceEventSchema, {
            sequence: "reboot",
            action: SequenceEvent_Action.NOOP,
            error: { code: Code.LOCKED, message: "sequence not started: locked" },
          }),
        ),
      ),
    );
    expect(seq.kind === "event" && eventFields(seq.payload)).toEqual([
      ["sequence", "reboot"],
      ["error", "sequence not started: locked"],
      ["code", "LOCKED"],
    ]);
    const ms = decodeEvent(
      event(
        "talos/runtime/machine.MachineStatusEvent",
        toBinary(
          MachineStatusEventSchema,
          create(MachineStatusEventSchema, {
            stage: MachineStatusEvent_MachineStage.BOOTING,
            status: { ready: false, unmetConditions: [{ name: "time", reason: "time is not synced" }] },
          }),
        ),
      ),
    );
    expect(ms.kind === "event" && eventFields(ms.payload)).toEqual([
      ["stage", "BOOTING"],
      ["ready", "false"],
      ["unmet", "time: time is not synced"],
    ]);
  });
});

describe("xidTime", () => {
  it("reads the Unix seconds at the start of an xid", () => {
    // 0x68a6ee41 = 1755770433 s, the rest arbitrary.
    const bytes = Buffer.from("68a6ee41aabbccddeeff0011", "hex");
    const alphabet = "0123456789abcdefghijklmnopqrstuv";
    let bits = "";
    for (const b of bytes) bits += b.toString(2).padStart(8, "0");
    bits += "0000";
    let id = "";
    for (let i = 0; i < 100; i += 5) id += alphabet[Number.parseInt(bits.slice(i, i + 5), 2)];
    expect(xidTime(id)?.getTime()).toBe(1_755_770_433_000);
    expect(xidTime("not-an-xid")).toBeUndefined();
    expect(xidTime("zzzzzzzzzzzzzzzzzzzz")).toBeUndefined();
  });
});
