// MachineService.Events: an empty "hello" event first, then the machine's events from the
// requested tail position on, optionally only those of one actor. The stream ends when the
// client goes away or the machine reboots; a follower that fell a whole ring behind gets
// DATA_LOSS naming how far behind it was (Talos just ends the stream). Each event is encoded
// once, however many followers send it.
import { create, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { errorMessage } from "../../errors.js";
import { EventSchema, type EventsRequest, MachineService } from "../../gen/machine/machine_pb.js";
import { EncodedMessage } from "../api/index.js";
import { decodeXid, type EventReader, type MachineEvent, type StartPosition } from "../machine/index.js";
import { callSignal, type HandlerEntry, liveStream, type NodeRuntime, serverStream } from "./define.js";

const encoded = new WeakMap<MachineEvent, EncodedMessage<typeof EventSchema>>();

/** The wire form of a machine event, encoded on first use and shared by every stream. */
export function wireEvent(event: MachineEvent): EncodedMessage<typeof EventSchema> {
  let message = encoded.get(event);
  if (!message) {
    const bytes = toBinary(
      EventSchema,
      create(EventSchema, {
        id: event.id,
        actorId: event.actorId,
        data: create(AnySchema, { typeUrl: event.typeUrl, value: event.value }),
      }),
    );
    message = new EncodedMessage(EventSchema, bytes);
    encoded.set(event, message);
  }
  return message;
}

/** Where a request starts reading; throws (code Unknown, as Talos) for conflicting options. */
export function startPosition(req: EventsRequest): StartPosition {
  const byId = req.tailId !== "";
  if (byId && (req.tailEvents !== 0 || req.tailSeconds !== 0)) {
    throw new Error("WithTailID can't be specified at the same time with WithTailEvents or WithTailDuration");
  }
  if (req.tailEvents !== 0 && req.tailSeconds !== 0) {
    throw new Error("WithTailEvents can't be specified at the same time with WithTailDuration");
  }
  if (byId) {
    try {
      decodeXid(req.tailId);
    } catch (err) {
      throw new Error(`error parsing tail_id: ${errorMessage(err)}`);
    }
    return { kind: "after-id", id: req.tailId };
  }
  if (req.tailSeconds > 0) return { kind: "since", seconds: req.tailSeconds };
  if (req.tailEvents < 0) return { kind: "all" };
  if (req.tailEvents > 0) return { kind: "tail", count: req.tailEvents };
  return { kind: "next" };
}

export function eventsHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    serverStream(MachineService.method.events, async (req, caller, send) => {
      const machine = rt.machine;
      const signal = callSignal(caller, machine);
      // The reader takes its position before the hello goes out, so a client that saw the
      // hello misses nothing published after it (reboot --wait acts right after the hello); a
      // request with conflicting options still gets the hello first, then its error.
      let reader: EventReader | undefined;
      let refused: unknown;
      try {
        reader = machine.bus.reader(startPosition(req));
      } catch (err) {
        refused = err;
      }
      await send(
        create(EventSchema, {
          id: machine.bus.newId(),
          actorId: req.withActorId,
          data: create(AnySchema, { typeUrl: "", value: new Uint8Array() }),
        }),
      );
      if (!reader) throw refused;
      const events = reader;
      await liveStream(machine, "events-stream", async () => {
        while (!signal.aborted) {
          const event = await events.next(signal);
          if (!event) return;
          if (req.withActorId !== "" && event.actorId !== req.withActorId) continue;
          await send(wireEvent(event));
        }
      });
    }),
  ];
}
