// Events of a real talos-node beyond the basics: every tail option of EventsRequest (tail_events,
// tail_id, tail_seconds) and their conflicts, and the loss-free claims counted end to end: a burst
// of numbered events reaches many followers (one of them slow) complete and in order, and a
// follower that stalls while a whole ring goes by is told so with DATA_LOSS after everything it
// could still be given.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  EventSchema,
  EventsRequestSchema,
  MachineStatusEvent_MachineStage,
  MachineStatusEventSchema,
  ServiceStateEventSchema,
} from "../src/gen/machine/machine_pb.js";
import { tempDir } from "./helpers/cli.js";
import {
  makeCluster,
  mtlsClient,
  type StartedNode,
  seedState,
  startNode,
  streamCall,
  type TestCluster,
} from "./helpers/node.js";

const BURST = 2_000;
/**
 * The stall test's burst: more than the ring plus what HTTP/2 windows and stream buffers on
 * both sides hold for a paused reader (about 1,500 events on Node 24, whose streams buffer
 * 64 KiB where Node 20's buffer 16 KiB).
 */
const STALL_BURST = 10_000;
const RING = 1_000;

let cluster: TestCluster;
let node: StartedNode;
let reader: grpc.Client;

type EventsInit = Parameters<typeof create<typeof EventsRequestSchema>>[1];

function events(req: EventsInit, client = reader) {
  return streamCall(
    client,
    "/machine.MachineService/Events",
    toBinary(EventsRequestSchema, create(EventsRequestSchema, req)),
  );
}

function rawEvents(req: EventsInit, client = reader) {
  return client.makeServerStreamRequest(
    "/machine.MachineService/Events",
    (b: Buffer) => b,
    (b: Buffer) => b,
    Buffer.from(toBinary(EventsRequestSchema, create(EventsRequestSchema, req))),
  );
}

/** The burst numbers in a list of raw Event messages (other events skipped). */
function burstNumbers(messages: readonly Buffer[]): number[] {
  const out: number[] = [];
  for (const b of messages) {
    const e = fromBinary(EventSchema, b);
    if (e.data?.typeUrl !== "talos/runtime/machine.ServiceStateEvent") continue;
    const s = fromBinary(ServiceStateEventSchema, e.data.value);
    const m = /^burst (\d{8})\//.exec(s.message);
    if (s.service === "test-burst" && m) out.push(Number(m[1]));
  }
  return out;
}

/** The id of the newest event the node has published so far. */
async function newestId(client = reader): Promise<string> {
  const last = events({ tailEvents: 1 }, client);
  const [, newest] = await last.waitFor(2);
  last.cancel();
  return fromBinary(EventSchema, newest!).id;
}

/** Whether a raw Event says the machine is running and ready (the end of a boot). */
function runningAndReady(b: Buffer): boolean {
  const e = fromBinary(EventSchema, b);
  if (e.data?.typeUrl !== "talos/runtime/machine.MachineStatusEvent") return false;
  const s = fromBinary(MachineStatusEventSchema, e.data.value);
  return s.stage === MachineStatusEvent_MachineStage.RUNNING && s.status?.ready === true;
}

/** An event id from now: every event published later sorts after it. */
async function now(client: grpc.Client): Promise<string> {
  const hello = events({}, client);
  await hello.waitFor(1);
  hello.cancel();
  return fromBinary(EventSchema, hello.messages[0]!).id;
}

/** Starts a burst of `count` and resolves once its last event is among the node's latest ten. */
async function burst(on = node, client = reader, count = BURST): Promise<void> {
  const start = await now(client);
  process.kill(on.child.pid!, "SIGUSR2");
  await expect
    .poll(
      async () => {
        const latest = events({ tailEvents: 10 }, client);
        await latest.waitFor(11);
        latest.cancel();
        const fresh = latest.messages.filter((b) => fromBinary(EventSchema, b).id > start);
        return Math.max(0, ...burstNumbers(fresh));
      },
      { timeout: 30_000, interval: 250 },
    )
    .toBe(count);
}

const sequence = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

beforeAll(async () => {
  cluster = await makeCluster("events-cluster");
  const stateDir = tempDir("talos-node-events-");
  seedState(stateDir, cluster.controlplane);
  node = await startNode({
    stateDir,
    // Paced at 500 a second and held back while a follower that is still reading lags half the
    // ring, so a busy machine does not turn "keeps up" into "fell behind".
    args: ["--time-scale", "20", "--platform", "cloud", "--test-burst", `events:${BURST}:500:wait`],
  });
  reader = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
  // The boot ends running and ready; its events then no longer interleave with the bursts.
  const boot = events({ tailEvents: -1 });
  await boot.waitForMessage(runningAndReady, {
    what: "the boot to end running and ready",
    timeoutMs: 30_000,
  });
  boot.cancel();
});

afterAll(async () => {
  reader?.close();
  await node?.stop();
});

describe("tail options", () => {
  it("refuses every conflicting pair after the hello event, with code Unknown", async () => {
    const cases: [EventsInit, string][] = [
      [
        { tailEvents: 1, tailSeconds: 5 },
        "WithTailEvents can't be specified at the same time with WithTailDuration",
      ],
      [
        { tailId: "9m4e2mr0ui3e8a215n4g", tailSeconds: 5 },
        "WithTailID can't be specified at the same time with WithTailEvents or WithTailDuration",
      ],
      [
        { tailId: "9m4e2mr0ui3e8a215n4g", tailEvents: -1 },
        "WithTailID can't be specified at the same time with WithTailEvents or WithTailDuration",
      ],
    ];
    for (const [req, details] of cases) {
      const s = events(req);
      await expect(s.done).rejects.toMatchObject({ code: grpc.status.UNKNOWN, details });
      expect(s.messages).toHaveLength(1);
      expect(fromBinary(EventSchema, s.messages[0]!).data?.typeUrl).toBe("");
    }
  });

  it("clamps a huge tail to what the ring keeps, and counts tail_seconds back from now", async () => {
    // Compared up to the newest event before the calls: later events may come on any of them.
    const newest = await newestId();
    const future = events({ tailSeconds: -60 });
    const all = events({ tailEvents: -1 });
    const huge = events({ tailEvents: 2_147_483_647 });
    const recent = events({ tailSeconds: 3_600 });
    const id = (b: Buffer) => fromBinary(EventSchema, b).id;
    for (const [name, s] of Object.entries({ all, huge, recent })) {
      // From 1: the hello has a fresh id, newer than any event.
      await s.waitForMessage((b) => id(b) >= newest, {
        what: `event ${newest} on the ${name} stream`,
        from: 1,
      });
    }
    for (const s of [all, huge, recent, future]) s.cancel();
    const ids = (s: typeof all) =>
      s.messages
        .slice(1)
        .map(id)
        .filter((i) => i <= newest);
    expect(ids(all).length).toBeGreaterThan(10);
    expect(ids(huge)).toEqual(ids(all));
    expect(ids(recent)).toEqual(ids(all));
    // Opened first, it had its turn at the history while the others sent theirs: nothing.
    expect(ids(future)).toEqual([]);
  });
});

describe("bursts without loss", () => {
  it("delivers every event of a burst, in order, to each of many followers, a slow one included", async () => {
    // Followers keep what they receive as it arrives and decode it afterwards, so the test's
    // own decoding does not hold them back; the slow one stops for a moment every 50 messages
    // (its HTTP/2 window then holds the node back).
    const follow = (slowEvery?: number) => {
      const call = rawEvents({});
      const received: Buffer[] = [];
      let failure: Error | undefined;
      call.on("data", (b: Buffer) => {
        received.push(b);
        if (slowEvery !== undefined && received.length % slowEvery === 0) {
          call.pause();
          setTimeout(() => call.resume(), 5);
        }
      });
      call.on("error", (e: Error) => {
        failure = e;
      });
      return { call, received, failure: () => failure };
    };
    const followers = [...Array.from({ length: 10 }, () => follow()), follow(50)];
    try {
      // The hello: each follower's reader is in place from here on.
      await expect.poll(() => followers.every((f) => f.received.length >= 1), { timeout: 10_000 }).toBe(true);
      await burst();
      for (const f of followers) {
        // Everything produced is on its way; wait until this follower has it (or failed).
        await expect
          .poll(() => f.failure() ?? burstNumbers(f.received.slice(-1)).at(-1), {
            timeout: 20_000,
            interval: 100,
          })
          .toBe(BURST);
        expect(burstNumbers(f.received)).toEqual(sequence(BURST));
      }
    } finally {
      for (const f of followers) f.call.cancel();
    }
  });

  it("tells a follower that stalled for a whole ring that it fell behind", async () => {
    // A node of its own, whose burst is large enough to lap a paused reader's buffers too.
    const stateDir = tempDir("talos-node-events-stall-");
    seedState(stateDir, cluster.controlplane);
    const big = await startNode({
      stateDir,
      args: ["--time-scale", "20", "--platform", "cloud", "--test-burst", `events:${STALL_BURST}:5000`],
    });
    const client = mtlsClient(big.address, cluster.osCa.crt, cluster.reader);
    try {
      await stalledFollower(big, client);
    } finally {
      client.close();
      await big.stop();
    }
  });
});

async function stalledFollower(big: StartedNode, client: grpc.Client): Promise<void> {
  const stalled = rawEvents({}, client);
  const received: Buffer[] = [];
  let error: grpc.ServiceError | undefined;
  stalled.on("data", (b: Buffer) => received.push(b));
  stalled.on("error", (e: grpc.ServiceError) => {
    error = e;
  });
  // The hello: the follower's reader is in place.
  await expect.poll(() => received.length, { timeout: 10_000 }).toBeGreaterThan(0);
  stalled.pause();
  // It stays stalled until the whole burst was published: the ring went by many times.
  await burst(big, client, STALL_BURST);
  stalled.resume();
  await expect.poll(() => error, { timeout: 30_000 }).toBeDefined();
  expect(error!.code).toBe(grpc.status.DATA_LOSS);
  expect(error!.details).toMatch(
    new RegExp(
      `^event stream: reader fell behind, \\d+ events were published since its position and the ring keeps ${RING}$`,
    ),
  );
  // What it got before the error is the burst from its start, in order, and less than all of it.
  // It may be nothing: when the node's process is starved the paced burst catches up in one
  // batch larger than the ring before the follower's pump gets a turn.
  const got = burstNumbers(received);
  expect(got.length).toBeLessThan(STALL_BURST);
  expect(got).toEqual(sequence(got.length));
}
