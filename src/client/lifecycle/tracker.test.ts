// The tracker against a scripted node: boots, downtimes and event streams in the order a loaded
// machine can show them, so each ordering is reproduced exactly rather than by chance.
import { create, type DescMessage, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import { AnySchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import {
  type Event,
  EventSchema,
  MachineStatusEvent_MachineStage,
  MachineStatusEventSchema,
  SequenceEvent_Action,
  SequenceEventSchema,
} from "../../gen/machine/machine_pb.js";
import type { TalosClient } from "../client.js";
import { type TrackUpdate, trackActions } from "./tracker.js";

const ACTOR = "actor-1";
const XID_DIGITS = "0123456789abcdefghijklmnopqrstuv";
let serial = 0;

/** A fresh, increasing event id in the xid alphabet. */
function nextId(): string {
  let n = ++serial;
  let tail = "";
  for (let i = 0; i < 6; i++) {
    tail = XID_DIGITS[n % 32] + tail;
    n = Math.floor(n / 32);
  }
  return `d2iq4ld3s5fqdg${tail}`;
}

function packed<D extends DescMessage>(schema: D, init: MessageInitShape<D>, actorId = ""): Event {
  return create(EventSchema, {
    id: nextId(),
    actorId,
    data: create(AnySchema, {
      typeUrl: `talos/runtime/${schema.typeName}`,
      value: toBinary(schema, create(schema, init)),
    }),
  });
}

const hello = (): Event => create(EventSchema, { id: nextId(), data: create(AnySchema, {}) });
const sequence = (name: string, actorId = "") =>
  packed(SequenceEventSchema, { sequence: name, action: SequenceEvent_Action.START }, actorId);
const status = (stage: MachineStatusEvent_MachineStage, ready: boolean) =>
  packed(MachineStatusEventSchema, { stage, status: { ready } });
const refused = () => new ConnectError("connect ECONNREFUSED 127.0.0.1:50000", Code.Unavailable);

/** A new boot's events up to running and ready. */
const bootToReady = (): Event[] => [
  status(MachineStatusEvent_MachineStage.BOOTING, false),
  sequence("initialize"),
  sequence("boot"),
  status(MachineStatusEvent_MachineStage.RUNNING, false),
  status(MachineStatusEvent_MachineStage.RUNNING, true),
];

/**
 * A node as the tracker sees it: `boot` names the boot that answers (undefined: down). Each
 * event stream yields the hello, then what `script` gives for that boot; `onRead` runs at every
 * boot id read, after the answer was taken, `onVersion` at every version call (both may move
 * the node on).
 */
class ScriptedNode {
  boot: string | undefined = "A";
  started = false;
  versionCalls = 0;
  readonly refusedBy: string[] = [];
  private onStart: (() => void) | undefined;

  constructor(
    private readonly script: (boot: string, node: ScriptedNode) => AsyncGenerator<Event>,
    readonly onRead: (node: ScriptedNode) => void = () => undefined,
    readonly onVersion: (node: ScriptedNode) => string = (n) => {
      if (n.boot === undefined) throw refused();
      return "v1.14.0";
    },
  ) {}

  whenStarted(): Promise<void> {
    return this.started ? Promise.resolve() : new Promise((resolve) => (this.onStart = resolve));
  }

  start(): string {
    this.started = true;
    this.onStart?.();
    return ACTOR;
  }

  client(): TalosClient {
    const node = this;
    const nc = {
      node: "10.5.0.2",
      machine: {
        events(_req: unknown, _opts: unknown): AsyncIterable<Event> {
          const boot = node.boot;
          return (async function* () {
            if (boot === undefined) {
              node.refusedBy.push("events");
              throw refused();
            }
            yield hello();
            yield* node.script(boot, node);
          })();
        },
        read(_req: unknown, _opts: unknown) {
          return (async function* () {
            const answer = node.boot;
            node.onRead(node);
            if (answer === undefined) {
              node.refusedBy.push("read");
              throw refused();
            }
            yield { bytes: new TextEncoder().encode(`${answer}\n`), metadata: undefined };
          })();
        },
      },
    };
    return { forNode: () => nc } as unknown as TalosClient;
  }
}

async function track(
  node: ScriptedNode,
  extra: { unreachableMs?: number; unreachableFloorMs?: number; signal?: AbortSignal } = {},
) {
  const updates: TrackUpdate[] = [];
  const [outcome] = await trackActions({
    client: node.client(),
    nodes: ["10.5.0.2"],
    start: async () => node.start(),
    predicate: "machine-ready",
    postCheck: "boot-id",
    timeoutMs: 20_000,
    signal: new AbortController().signal,
    onUpdate: (u) => updates.push(u),
    finalCheck: async () => {
      node.versionCalls++;
      return `running ${node.onVersion(node)}`;
    },
    reconnectIntervalMs: 5,
    ...extra,
  });
  return { outcome: outcome!, shown: updates.map((u) => u.message) };
}

describe("the --wait tracker", () => {
  it("takes a ready event of the old boot read late for nothing, and follows the revert's slow downtime", async () => {
    // The old boot turns ready just as the reboot starts; the tracker reads that event late,
    // when the node already runs the upgraded system, which fails and is rebooting back: the
    // boot id says "new boot" but the ready state was the old one's, and the version cannot be
    // asked during the revert's downtime (here several refused attempts long).
    let downAttempts = 0;
    const node = new ScriptedNode(
      async function* (boot, n) {
        if (boot === "A") {
          await n.whenStarted();
          yield sequence("reboot", ACTOR);
          yield status(MachineStatusEvent_MachineStage.REBOOTING, true);
          // Queued before the reboot, read once the node already runs the next boot: the old
          // boot's ready state.
          const late = status(MachineStatusEvent_MachineStage.RUNNING, true);
          n.boot = "B";
          yield late;
          return;
        }
        // The reverted boot, running the previous system.
        yield* bootToReady();
      },
      (n) => {
        // The upgraded system answers once, then goes down for the revert, for a while.
        if (n.boot === "B") n.boot = undefined;
        else if (n.boot === undefined && ++downAttempts >= 5) n.boot = "C";
      },
    );
    const { outcome, shown } = await track(node);
    expect(shown.at(-1)).toBe("running v1.14.0");
    expect(outcome).toMatchObject({ ok: true, bootIdBefore: "A", bootIdAfter: "C" });
    expect(node.versionCalls).toBe(1);
    expect(shown.filter((s) => s.startsWith("unavailable, retrying"))).not.toEqual([]);
  });

  it("follows the node again when the version check meets it away, instead of failing on that", async () => {
    const node = new ScriptedNode(
      async function* (boot, n) {
        if (boot === "A") {
          await n.whenStarted();
          yield sequence("reboot", ACTOR);
          n.boot = undefined;
          return;
        }
        if (n.versionCalls === 0) yield* bootToReady();
        // A stream opened after the failed version call: the same boot, nothing new.
        else await new Promise(() => undefined);
      },
      (n) => {
        if (n.boot === undefined) n.boot = "C";
      },
      (n) => {
        // The API restarts right after the boot turned ready: the first call is refused.
        if (n.versionCalls === 1) throw refused();
        return "v1.15.0";
      },
    );
    const { outcome, shown } = await track(node);
    expect(outcome.ok).toBe(true);
    expect(shown.at(-1)).toBe("running v1.15.0");
    expect(node.versionCalls).toBe(2);
  });

  it("reports a node that stays unreachable past the bound, with the last state it showed", async () => {
    const node = new ScriptedNode(async function* (boot, n) {
      if (boot === "A") {
        await n.whenStarted();
        yield sequence("reboot", ACTOR);
        yield status(MachineStatusEvent_MachineStage.REBOOTING, true);
        // Killed: nothing answers any more.
        n.boot = undefined;
      }
    });
    const { outcome } = await track(node, { unreachableMs: 300 });
    expect(outcome.ok).toBe(false);
    expect(outcome.message).toBe(
      "unreachable for 300ms, longer than a reboot takes; last state: stage: REBOOTING ready: true unmetCond: []",
    );
    expect(node.refusedBy.length).toBeGreaterThan(1);
  });

  it("derives the unreachable bound from the outage the run saw end: five times it, not the fixed 5m", async () => {
    // The upgraded system boots (after an outage of DOWN_MS), fails, goes down to revert and
    // never comes back: reported after five times the first outage, with that outage named.
    const DOWN_MS = 150;
    let firstDown = 0;
    const node = new ScriptedNode(async function* (boot, n) {
      await n.whenStarted();
      if (boot === "A") {
        yield sequence("upgrade", ACTOR);
        yield status(MachineStatusEvent_MachineStage.UPGRADING, true);
        n.boot = undefined;
        firstDown = Date.now();
        setTimeout(() => (n.boot = "B"), DOWN_MS);
      } else if (boot === "B") {
        yield status(MachineStatusEvent_MachineStage.BOOTING, false);
        yield sequence("initialize");
        yield status(MachineStatusEvent_MachineStage.REBOOTING, false);
        n.boot = undefined;
      }
    });
    const started = Date.now();
    const { outcome } = await track(node, { unreachableFloorMs: 10 });
    const elapsed = Date.now() - started;
    expect(firstDown).toBeGreaterThan(0);
    expect(outcome.ok).toBe(false);
    const m =
      /^unreachable for (\S+), longer than a reboot takes \(the longest outage that ended in this run: (\S+)\); last state: stage: REBOOTING ready: false unmetCond: \[\]$/.exec(
        outcome.message,
      );
    expect(m, outcome.message).not.toBeNull();
    // Bound and outage are Go durations; the bound is five times the outage measured.
    const ms = (d: string) =>
      Number(/^([\d.]+)ms$/.exec(d)?.[1] ?? /^([\d.]+)s$/.exec(d)![1]!) * (d.endsWith("ms") ? 1 : 1000);
    const [bound, outage] = [ms(m![1]!), ms(m![2]!)];
    expect(outage).toBeGreaterThanOrEqual(DOWN_MS - 5);
    expect(bound).toBeCloseTo(5 * outage, 0);
    expect(elapsed).toBeLessThan(20_000);
  });

  it("keeps the fixed 5m bound while no outage has ended in the run", async () => {
    const node = new ScriptedNode(async function* (boot, n) {
      if (boot === "A") {
        await n.whenStarted();
        yield sequence("reboot", ACTOR);
        yield status(MachineStatusEvent_MachineStage.REBOOTING, true);
        n.boot = undefined;
      }
    });
    const stop = new AbortController();
    const run = track(node, { unreachableFloorMs: 10, signal: stop.signal });
    // Well past the floor and many reconnection attempts later, the node is still awaited.
    const pending = Symbol("pending");
    const early = await Promise.race([run, new Promise((r) => setTimeout(() => r(pending), 500))]);
    expect(early).toBe(pending);
    expect(node.refusedBy.length).toBeGreaterThan(5);
    stop.abort();
    const { outcome } = await run;
    expect(outcome.message).toBe("canceled");
  });
});
