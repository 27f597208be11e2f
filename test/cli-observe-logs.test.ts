// logs and dmesg of the real CLI against real talos-node processes: tails, follow until
// Ctrl+C (in-process and as a real process with SIGINT), NDJSON, bad --tail values, unknown
// services, two nodes at once, and a node that dies while being followed.
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killAtEnd } from "./helpers/cleanup.js";
import { isolatedEnv, TALOSCTL } from "./helpers/cli.js";
import {
  burst,
  burstIdle,
  type ConfiguredNode,
  restartKubelet,
  startConfiguredNode,
  startInProcess,
} from "./helpers/cluster.js";
import { eventually, type StartedNode, startNode } from "./helpers/node.js";
import { waitFor } from "./helpers/wait.js";

let c: ConfiguredNode;
const NODE = "127.0.0.1";
/** 2.5 MB of log lines: more than the service's ring plus what a paused reader's buffers hold. */
const BURST = 25_000;

/** The sequence numbers of burst lines in `logs -o json` output. */
function burstNumbers(stdout: string): number[] {
  return (
    lines(stdout)
      .map((l) => (JSON.parse(l) as { line?: string }).line)
      // A stream that failed ends with an error object in -o json: it carries no line.
      .filter((l): l is string => l?.startsWith("burst ") === true)
      .map((l) => Number(/^burst (\d+)\//.exec(l)![1]))
  );
}

function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "");
}

beforeAll(async () => {
  // A fast clock: services trickle log lines while they run.
  // --test-burst: each SIGUSR2 writes numbered 100-byte lines into etcd's log, 5000 a second,
  // held back while a follower that is still reading lags half a ring (a busy machine slows
  // the in-process follower; one that stops reading is overrun after two seconds).
  c = await startConfiguredNode({
    args: ["--time-scale", "300", "--test-burst", `log:etcd:${BURST}:5000:wait`],
  });
  await eventually(async () => {
    const r = await c.talosctl(["service", "kubelet"]);
    if (!/STATE +Running/.test(r.stdout)) throw new Error("kubelet not running yet");
  }, 30_000);
});

afterAll(async () => {
  await c?.stop();
});

describe("logs", () => {
  it("prints every line of a service's log with the node prefix", async () => {
    const r = await c.talosctl(["logs", "machined"]);
    expect(r.code, r.stderr).toBe(0);
    const all = lines(r.stdout);
    expect(all.length).toBeGreaterThan(10);
    expect(all.every((l) => l.startsWith(`${NODE}: `))).toBe(true);
    // machined's lines carry a timestamp and the [talos] prefix.
    expect(all.some((l) => /^127\.0\.0\.1: \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} \[talos\] /.test(l))).toBe(
      true,
    );
  });

  it("honours --tail: N lines, 0 none, any negative value everything", async () => {
    const five = await c.talosctl(["logs", "machined", "--tail", "5"]);
    expect(five.code, five.stderr).toBe(0);
    expect(lines(five.stdout)).toHaveLength(5);
    const none = await c.talosctl(["logs", "machined", "--tail", "0"]);
    expect(none).toEqual({ code: 0, stdout: "", stderr: "" });
    const all = lines((await c.talosctl(["logs", "machined", "--tail", "-1"])).stdout);
    const negative = lines((await c.talosctl(["logs", "machined", "--tail", "-42"])).stdout);
    // machined may have logged a line in between; the older lines are the same.
    expect(negative.slice(0, all.length - 1)).toEqual(all.slice(0, all.length - 1));
    // The five tail lines are the log's last five at that moment: a run inside the whole log.
    expect(`${all.join("\n")}\n`).toContain(five.stdout);
    const huge = await c.talosctl(["logs", "machined", "--tail", "2147483647"]);
    expect(huge.code).toBe(0);
    expect(lines(huge.stdout).length).toBeGreaterThanOrEqual(all.length);
  });

  it("rejects --tail values that are not an int32, before connecting", async () => {
    const big = await c.talosctl(["logs", "machined", "--tail", "99999999999"]);
    expect(big.code).toBe(1);
    expect(big.stderr.split("\n")[0]).toBe(
      'invalid argument "99999999999" for "--tail" flag: strconv.ParseInt: parsing "99999999999": value out of range',
    );
    const text = await c.talosctl(["logs", "machined", "--tail", "ten"]);
    expect(text.code).toBe(1);
    expect(text.stderr.split("\n")[0]).toMatch(/parsing "ten": invalid syntax$/);
  });

  it("gives NDJSON lines with the node", async () => {
    const r = await c.talosctl(["logs", "apid", "-o", "json", "--tail", "3"]);
    expect(r.code, r.stderr).toBe(0);
    const docs = lines(r.stdout).map((l) => JSON.parse(l) as { node: string; line: string });
    expect(docs).toHaveLength(3);
    expect(docs.every((d) => d.node === NODE && typeof d.line === "string" && !d.line.includes("\n"))).toBe(
      true,
    );
  });

  it("names a service that has no log", async () => {
    const r = await c.talosctl(["logs", "nosuch"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /^error from node 127\.0\.0\.1: rpc error: code = \w+ desc = log "nosuch" was not registered\n$/,
    );
  });

  it("reads a Kubernetes container's log with -k", async () => {
    const containers = await c.talosctl(["containers", "-k", "-o", "json"]);
    const ids = lines(containers.stdout)
      .map((l) => JSON.parse(l) as { id: string; podId: string })
      .filter((x) => x.id !== x.podId)
      .map((x) => x.id);
    expect(ids.length).toBeGreaterThan(0);
    const r = await c.talosctl(["logs", "-k", ids[0]!]);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout).every((l) => l.startsWith(`${NODE}: `))).toBe(true);
  });

  it("completes service ids", async () => {
    const r = await c.talosctl(["__completeNoDesc", "logs", "ku"]);
    expect(r.stdout).toBe("kubelet\n:4\n");
  });

  it("prefixes each node's lines when two node names answer", async () => {
    const r = await c.talosctl(["logs", "machined", "--tail", "4", "-n", `${NODE},localhost`]);
    expect(r.code, r.stderr).toBe(0);
    const all = lines(r.stdout);
    expect(all.filter((l) => l.startsWith(`${NODE}: `))).toHaveLength(4);
    expect(all.filter((l) => l.startsWith("localhost: "))).toHaveLength(4);
  });

  it("follows new lines, across a restart of the service, until cancelled (exit 0)", async () => {
    const run = startInProcess(["logs", "kubelet", "-f", "--tail", "1"], {
      cwd: c.dir,
      env: c.env(),
      home: c.home,
    });
    await run.waitFor(/^127\.0\.0\.1: /m);
    const restart = await c.talosctl(["service", "kubelet", "restart"]);
    expect(restart.code, restart.stderr).toBe(0);
    // kubelet's shutdown and start-up lines both arrive on the same stream.
    await run.waitFor(/Shutting down kubelet[\s\S]*Kubelet version/);
    run.cancel();
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(lines(r.stdout).every((l) => l.startsWith(`${NODE}: `))).toBe(true);
  });

  it("waits for a slow stdout instead of buffering, and loses no line", async () => {
    const expected = lines((await c.talosctl(["logs", "machined"])).stdout);
    const run = startInProcess(["logs", "machined"], {
      cwd: c.dir,
      env: c.env(),
      home: c.home,
      slowStdout: { readDelayMs: 2, highWaterMark: 256 },
    });
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    const got = lines(r.stdout);
    // The fast clock keeps machined writing: by the second call the ring may have dropped its
    // oldest chunk, so the slow copy starts at one of the first call's lines and runs on from
    // there without a gap.
    const from = expected.indexOf(got[0]!);
    expect(
      from,
      `first line ${JSON.stringify(got[0])} is not in the first call's output`,
    ).toBeGreaterThanOrEqual(0);
    expect(from).toBeLessThan(expected.length / 2);
    expect(got.slice(0, expected.length - 1 - from)).toEqual(expected.slice(from, expected.length - 1));
  });

  it("stops a real talosctl on SIGINT without an error", async () => {
    const child = killAtEnd(
      spawn(process.execPath, [TALOSCTL, "logs", "-f", "apid"], {
        cwd: c.dir,
        env: isolatedEnv(c.home, { TALOSCONFIG: c.talosconfig }),
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await eventually(
      async () => {
        if (!out.includes(`${NODE}: `)) throw new Error(`no output yet: ${out}${err}`);
      },
      20_000,
      50,
    );
    const started = Date.now();
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(err).toBe("Signal received, aborting, press Ctrl+C once again to abort immediately...\n");
  });
});

describe("a burst of log lines", () => {
  const etcdLatest = async () => (await c.talosctl(["logs", "etcd", "--tail", "5"])).stdout;

  it("reaches a follower whole and in order, beyond what the ring holds", async () => {
    await burstIdle(etcdLatest);
    // From the log's last line on: once it is printed, the follower sees every new line.
    const run = startInProcess(["logs", "etcd", "-f", "--tail", "1", "-o", "json"], {
      cwd: c.dir,
      env: c.env(),
      home: c.home,
    });
    await run.waitFor(/\n/);
    c.node.child.kill("SIGUSR2");
    await run.waitFor(new RegExp(`burst 0*${BURST}/`), 30_000);
    run.cancel();
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    const [, ...followed] = lines(r.stdout);
    expect(burstNumbers(followed.join("\n"))).toEqual(Array.from({ length: BURST }, (_, i) => i + 1));
  });

  // The CLI stops reading while its stdout is full, so the stall reaches the node through
  // HTTP/2 flow control: the node's ring overruns and it says so. A CLI that buffered
  // everything itself would have received the whole burst instead.
  it("tells a follower that stalls that it fell behind, after what it got in order", async () => {
    // Its stdout takes nothing until the whole burst was written on the node.
    let release = (): void => undefined;
    const until = new Promise<void>((resolve) => {
      release = resolve;
    });
    await burstIdle(etcdLatest);
    // From the log's last line on: once the command offered it to stdout, it follows.
    const run = startInProcess(["logs", "etcd", "-f", "--tail", "1", "-o", "json"], {
      cwd: c.dir,
      env: c.env(),
      home: c.home,
      slowStdout: { readDelayMs: 0, highWaterMark: 1, until },
    });
    await waitFor(() => run.stdoutOffered() > 0, { what: "the log's last line offered to stdout" });
    await burst(c, BURST, etcdLatest);
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
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(BURST);
    expect(got).toEqual(Array.from({ length: got.length }, (_, i) => i + 1));
  });
});

describe("dmesg", () => {
  it("prints kernel records with the node prefix, or as NDJSON", async () => {
    const r = await c.talosctl(["dmesg"]);
    expect(r.code, r.stderr).toBe(0);
    const all = lines(r.stdout);
    expect(all.length).toBeGreaterThan(10);
    const first = /^127\.0\.0\.1: kern: ( *\w+): \[\d{4}-\d\d-\d\dT[\d:.]+Z\]: Linux version /.exec(all[0]!);
    expect(first, all[0]).not.toBeNull();
    // The priority is right-aligned to seven characters.
    expect(first![1]).toHaveLength(7);
    const j = await c.talosctl(["dmesg", "-o", "json"]);
    const docs = lines(j.stdout).map((l) => JSON.parse(l) as Record<string, string>);
    expect(docs[0]).toMatchObject({ node: NODE, facility: "kern" });
    expect(docs[0]!.message).toMatch(/^Linux version /);
    expect(docs.length).toBeGreaterThanOrEqual(all.length);
  });

  it("with --tail and no follow has nothing to show; with -f --tail shows only new records", async () => {
    const tail = await c.talosctl(["dmesg", "--tail"]);
    expect(tail).toEqual({ code: 0, stdout: "", stderr: "" });
    const run = startInProcess(["dmesg", "-f", "--tail"], { cwd: c.dir, env: c.env(), home: c.home });
    // A service restart writes to the kernel log through machined. Nothing shows when the
    // follower is in place (it prints nothing until a new record comes): restart until one does.
    await waitFor(
      async () => {
        if (run.stdout() !== "") return true;
        await restartKubelet(c);
        return run.stdout() !== "";
      },
      { what: "a kernel record of a kubelet restart on the follower", timeoutMs: 30_000, intervalMs: 0 },
    );
    await run.waitFor(/^127\.0\.0\.1: /m);
    run.cancel();
    const r = await run.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/Linux version/);
  });
});

describe("nodes that fail", () => {
  let a: StartedNode;
  let b: StartedNode;

  beforeAll(async () => {
    // Maintenance nodes: logs and dmesg reach each one directly with --insecure.
    [a, b] = await Promise.all([
      startNode({ args: ["--time-scale", "600"] }),
      startNode({ args: ["--time-scale", "600"] }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it("keeps following the other node when one dies, then names the dead one and exits 1", async () => {
    const env = { HOME: c.home, PATH: process.env.PATH };
    const run = startInProcess(
      ["logs", "apid", "-f", "--tail", "1", "--insecure", "-n", `${a.address},${b.address}`],
      {
        cwd: c.dir,
        env,
        home: c.home,
      },
    );
    const fromA = (): number => lines(run.stdout()).filter((l) => l.startsWith(`${a.address}: `)).length;
    await run.waitFor(new RegExp(`^${b.address.replace(/\./g, "\\.")}: `, "m"));
    await run.waitFor(new RegExp(`^${a.address.replace(/\./g, "\\.")}: `, "m"));
    await b.kill();
    const afterKill = fromA();
    // apid trickles a line every 60 s of machine time (0.1 s here): A's stream goes on.
    await eventually(
      async () => {
        if (fromA() < afterKill + 3) throw new Error(`A gave ${fromA() - afterKill} lines since B died`);
      },
      15_000,
      50,
    );
    run.cancel();
    const r = await run.result;
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`^error from node ${b.address.replace(/\./g, "\\.")}: rpc error: code = \\w+ desc = .+\\n$`),
    );
    expect(r.stderr).not.toContain(a.address);
  });

  it("prints what the live node has when the other is down from the start", async () => {
    const env = { HOME: c.home, PATH: process.env.PATH };
    const run = startInProcess(["dmesg", "--insecure", "-n", `${a.address},${b.address}`], {
      cwd: c.dir,
      env,
      home: c.home,
    });
    const r = await run.result;
    expect(r.code).toBe(1);
    expect(lines(r.stdout).length).toBeGreaterThan(10);
    expect(lines(r.stdout).every((l) => l.startsWith(`${a.address}: `))).toBe(true);
    expect(r.stderr).toMatch(
      new RegExp(
        `^error from node ${b.address.replace(/\./g, "\\.")}: rpc error: code = Unavailable desc = `,
      ),
    );
  });
});
