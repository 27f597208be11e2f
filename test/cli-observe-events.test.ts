// events of the real CLI against a real configured talos-node: one line per event, NDJSON,
// the tail options (--tail, --since, --duration, --actor-id), their conflicts, and Ctrl+C.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  burst,
  burstIdle,
  type ConfiguredNode,
  type InProcessRun,
  restartKubelet,
  startConfiguredNode,
  startInProcess,
} from "./helpers/cluster.js";
import { eventually } from "./helpers/node.js";
import { absenceWindow, waitFor } from "./helpers/wait.js";

let c: ConfiguredNode;
const NODE = "127.0.0.1";
/** More than the ring plus what a paused reader's stream buffers hold (about 1,500 on Node 24). */
const BURST = 4000;

interface JsonEvent {
  node: string;
  id: string;
  time: string;
  actorId: string;
  type: string;
  payload: Record<string, unknown>;
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

function events(args: string[]): InProcessRun {
  return startInProcess(["events", ...args], { cwd: c.dir, env: c.env(), home: c.home });
}

/** The event id on a line of `events` output (table or NDJSON), if any. */
function lineId(line: string): string | undefined {
  return /\b([0-9a-v]{20})\b/.exec(line)?.[1];
}

/** The id of the newest event the node has published so far. */
async function newestId(): Promise<string> {
  const run = events(["--tail", "1", "-o", "json"]);
  await run.waitFor(/\n/);
  run.cancel();
  return (JSON.parse(lines((await run.result).stdout)[0]!) as JsonEvent).id;
}

/**
 * Runs `events` until every node in `nodes` printed the node's newest event from before the
 * call (or a later one), then presses Ctrl+C; stdout keeps only the lines up to that event.
 */
async function settle(
  args: string[],
  nodes: readonly string[] = [NODE],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const newest = await newestId();
  const run = events(args);
  const reached = (n: string) =>
    lines(run.stdout()).some(
      (l) => (l.startsWith(`${n} `) || l.includes(`"node":"${n}"`)) && (lineId(l) ?? "") >= newest,
    );
  await waitFor(() => nodes.every(reached), {
    what: `event ${newest} from ${nodes.join(", ")} on events ${args.join(" ")}`,
    details: () => `stdout:\n${run.stdout()}\nstderr:\n${run.stderr()}`,
  });
  run.cancel();
  const r = await run.result;
  const kept = lines(r.stdout).filter((l) => (lineId(l) ?? "") <= newest);
  return { ...r, stdout: kept.map((l) => `${l}\n`).join("") };
}

let all: JsonEvent[];

beforeAll(async () => {
  // --test-burst: each SIGUSR2 publishes 4000 numbered events, 1000 a second, held back while
  // a follower that is still reading lags half the ring (a busy machine slows the in-process
  // follower; one that stops reading is overrun after two seconds).
  c = await startConfiguredNode({
    args: ["--time-scale", "100", "--test-burst", `events:${BURST}:1000:wait`],
  });
  await eventually(async () => {
    const r = await c.talosctl(["service", "kubelet"]);
    if (!/STATE +Running/.test(r.stdout)) throw new Error("kubelet not running yet");
  }, 30_000);
  const r = await settle(["--tail", "-1", "-o", "json"]);
  expect(r.code, r.stderr).toBe(0);
  all = lines(r.stdout).map((l) => JSON.parse(l) as JsonEvent);
});

afterAll(async () => {
  await c?.stop();
});

describe("events", () => {
  it("decodes every event of the boot into NDJSON with its payload", () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.every((e) => e.node === NODE && /^[0-9a-v]{20}$/.test(e.id))).toBe(true);
    // xids sort by time: the stream is in order.
    expect(all.map((e) => e.id)).toEqual([...all.map((e) => e.id)].sort());
    const types = new Set(all.map((e) => e.type));
    for (const t of [
      "machine.SequenceEvent",
      "machine.PhaseEvent",
      "machine.TaskEvent",
      "machine.ServiceStateEvent",
    ]) {
      expect(types).toContain(t);
    }
    const boot = all.find((e) => e.type === "machine.SequenceEvent" && e.payload.sequence === "boot");
    expect(boot?.payload).toEqual({ sequence: "boot", action: "START" });
    expect(Date.parse(boot!.time)).toBeGreaterThan(Date.parse("2020-01-01T00:00:00Z"));
    const svc = all.find((e) => e.type === "machine.ServiceStateEvent");
    expect(svc?.payload).toMatchObject({ service: expect.any(String), action: expect.any(String) });
  });

  it("prints one line per event: node, time, id, type and what happened", async () => {
    const r = await settle(["--tail", "-1"]);
    expect(r.code, r.stderr).toBe(0);
    const [header, ...rows] = lines(r.stdout);
    expect(header).toMatch(/^NODE {8}TIME {19}ID {21}EVENT {11}DETAILS$/);
    // The history now: what it was at the start, and maybe a few events since.
    expect(rows.length).toBeGreaterThanOrEqual(all.length);
    rows.slice(0, all.length).forEach((row, i) => {
      const e = all[i]!;
      expect(row.startsWith(`${NODE}   ${e.time}   ${e.id}   `)).toBe(true);
    });
    expect(rows).toContainEqual(expect.stringMatching(/ Sequence {8}sequence=boot action=START$/));
    expect(rows).toContainEqual(expect.stringMatching(/ ServiceState {4}service=\w+ state=\w+ message=/));
    expect(rows).toContainEqual(expect.stringMatching(/ MachineStatus {3}stage=RUNNING ready=(true|false)/));
  });

  it("--tail N starts N events back; without history it waits for new events", async () => {
    const r = await settle(["--tail", "5", "-o", "json"]);
    const ids = lines(r.stdout).map((l) => (JSON.parse(l) as JsonEvent).id);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    const start = all.findIndex((e) => e.id === ids[0]);
    expect(start).toBeGreaterThanOrEqual(all.length - 5);
    expect(ids.slice(0, all.length - start)).toEqual(all.slice(start).map((e) => e.id));

    const live = events(["-o", "json"]);
    // Gives history that was wrongly sent the time to show.
    await absenceWindow(300);
    expect(live.stdout()).toBe("");
    // A service restart is news: its state changes arrive on the open stream. Nothing shows
    // when the stream is in place (it prints nothing without news): restart until one does.
    await waitFor(
      async () => {
        if (/"service":"kubelet"/.test(live.stdout())) return true;
        await restartKubelet(c);
        return /"service":"kubelet"/.test(live.stdout());
      },
      { what: "a kubelet state change on the open stream", timeoutMs: 30_000, intervalMs: 0 },
    );
    live.cancel();
    const lr = await live.result;
    expect(lr.code, lr.stderr).toBe(0);
    const fresh = lines(lr.stdout).map((l) => JSON.parse(l) as JsonEvent);
    expect(fresh.every((e) => !all.some((old) => old.id === e.id))).toBe(true);
  });

  it("--since <id> starts right after that event", async () => {
    const pivot = all[Math.floor(all.length / 2)]!;
    const r = await settle(["--since", pivot.id, "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const ids = lines(r.stdout).map((l) => (JSON.parse(l) as JsonEvent).id);
    const expected = all.slice(all.indexOf(pivot) + 1).map((e) => e.id);
    expect(ids.slice(0, expected.length)).toEqual(expected);
  });

  it("--duration reaches back in time", async () => {
    const r = await settle(["--duration", "1h", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const ids = lines(r.stdout).map((l) => (JSON.parse(l) as JsonEvent).id);
    expect(ids.slice(0, all.length)).toEqual(all.map((e) => e.id));
  });

  it("--actor-id keeps only that actor's events (boot events have none)", async () => {
    expect(all.every((e) => e.actorId === "")).toBe(true);
    const other = events([
      "--tail",
      "-1",
      "--actor-id",
      "6f0c2c52-0d6e-4b43-a6c4-1d1a58e4e3f1",
      "-o",
      "json",
    ]);
    // While an unfiltered stream, opened after it, sent the whole history, the filtered one
    // went through it too: nothing passed the filter.
    await settle(["--tail", "-1", "-o", "json"]);
    other.cancel();
    expect(await other.result).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("refuses conflicting or malformed tail options before connecting", async () => {
    const both = await c.talosctl(["events", "--tail", "5", "--since", all[0]!.id]);
    expect(both.code).toBe(1);
    expect(both.stderr).toBe(
      "--tail and --since can't be used together: choose one way to pick past events\n",
    );
    const three = await c.talosctl(["events", "--tail", "-1", "--duration", "5m", "--since", all[0]!.id]);
    expect(three.stderr).toBe(
      "--tail and --since and --duration can't be used together: choose one way to pick past events\n",
    );
    const since = await c.talosctl(["events", "--since", "not-an-id"]);
    expect(since.stderr).toBe('--since "not-an-id" is not an event ID (20 characters of 0-9 and a-v)\n');
    const duration = await c.talosctl(["events", "--duration", "soon"]);
    expect(duration.stderr.split("\n")[0]).toBe(
      'invalid argument "soon" for "--duration" flag: time: invalid duration "soon"',
    );
    // A value that starts with "-" needs no "=": the flag takes the next word.
    for (const form of [["--duration=-5m"], ["--duration", "-5m"]]) {
      const negative = await c.talosctl(["events", ...form]);
      expect(negative.stderr).toBe("--duration must not be negative (got -5m0s)\n");
    }
    const tail = await c.talosctl(["events", "--tail", "5000000000"]);
    expect(tail.stderr.split("\n")[0]).toMatch(/for "--tail" flag: .*value out of range$/);
  });

  it("streams from two node names at once", async () => {
    const r = await settle(["--tail", "3", "-n", `${NODE},localhost`], [NODE, "localhost"]);
    expect(r.code, r.stderr).toBe(0);
    const rows = lines(r.stdout).slice(1);
    expect(rows.filter((l) => l.startsWith(`${NODE} `))).toHaveLength(3);
    expect(rows.filter((l) => l.startsWith("localhost "))).toHaveLength(3);
  });

  it("names a node that fails while the other keeps streaming, and exits 1", async () => {
    const run = events(["--tail", "2", "-n", `${NODE},10.255.0.9`]);
    await run.waitFor(/^127\.0\.0\.1 /m);
    // The failure is named while the other node's events keep coming.
    await expect.poll(() => run.stderr(), { timeout: 20_000 }).toMatch(/error from node 10\.255\.0\.9/);
    run.cancel();
    const r = await run.result;
    expect(r.code).toBe(1);
    // The endpoint forwards the call for the other address, whose dial fails.
    expect(r.stderr).toMatch(
      /^error from node 10\.255\.0\.9: rpc error: code = Unavailable desc = .*connection refused.*\n$/,
    );
  });

  // Last: the bursts fill the event ring.
  describe("a burst of events", () => {
    /** The sequence numbers of burst events in NDJSON output. */
    function burstNumbers(stdout: string): number[] {
      return (
        lines(stdout)
          .map((l) => JSON.parse(l) as JsonEvent)
          // A stream that failed ends with an error object in -o json: it carries no payload.
          .filter((e) => e.payload?.service === "test-burst")
          .map((e) => Number(/^burst (\d+)\//.exec(String(e.payload.message))![1]))
      );
    }

    /** The newest `count` events, as NDJSON. */
    async function latest(count: number): Promise<string> {
      const run = events(["--tail", String(count), "-o", "json"]);
      await waitFor(() => lines(run.stdout()).length >= count, { what: `the newest ${count} events` });
      run.cancel();
      return (await run.result).stdout;
    }

    it("reaches a follower whole and in order", async () => {
      await burstIdle(() => latest(10));
      // From the newest event on: once it is printed, the follower sees every new one.
      const run = events(["--tail", "1", "-o", "json"]);
      await run.waitFor(/\n/);
      c.node.child.kill("SIGUSR2");
      await run.waitFor(new RegExp(`burst 0*${BURST}/`), 30_000);
      run.cancel();
      const r = await run.result;
      expect(r.code, r.stderr).toBe(0);
      const [, ...followed] = lines(r.stdout);
      expect(burstNumbers(followed.join("\n"))).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));
    });

    it("tells a follower that stalls that it fell behind, after what it got in order", async () => {
      // Its stdout takes nothing until the whole burst was published on the node.
      let release = (): void => undefined;
      const until = new Promise<void>((resolve) => {
        release = resolve;
      });
      await burstIdle(() => latest(10));
      // From the newest event on: once the command offered it to stdout, it follows.
      const run = startInProcess(["events", "--tail", "1", "-o", "json"], {
        cwd: c.dir,
        env: c.env(),
        home: c.home,
        slowStdout: { readDelayMs: 0, highWaterMark: 1, until },
      });
      await waitFor(() => run.stdoutOffered() > 0, { what: "the newest event offered to stdout" });
      await burst(c, BURST, () => latest(10));
      release();
      const r = await run.result;
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^error from node 127\.0\.0\.1: rpc error: code = DataLoss desc = .*fell behind/,
      );
      const [, ...followed] = lines(r.stdout);
      const got = burstNumbers(followed.join("\n"));
      // -o json ends with the node's error as one more object, after everything it got.
      expect(JSON.parse(lines(r.stdout).at(-1)!)).toMatchObject({ error: expect.stringMatching(/DataLoss/) });
      expect(got.length).toBeLessThan(BURST);
      expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
    });
  });
});
