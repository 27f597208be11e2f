// Events fan-out: many concurrent MachineService.Events followers on one talos-node while it
// publishes a burst of numbered events (the node's --test-burst aid, triggered by SIGUSR2).
// Every follower must receive every burst event exactly once and in order; reported are the
// delivery latency (production stamp in the event to arrival at the follower) p50/p99 and the
// node's peak resident memory.
//
// The followers are spread over several client processes (one process receiving 500 streams
// was the limit, not the node), so the figures speak of the node; its CPU time over the burst
// is reported as a share of one core. The burst runs at 40 events a second and at 400.
//
// Knobs: BENCH_FOLLOWERS (500), BENCH_EVENTS (2000), BENCH_RATES (comma-separated events per
// second, "40,400"; the ring keeps 1000 events, so the pace must let followers keep up),
// BENCH_CONNECTIONS (50 client connections the followers share), BENCH_CLIENT_PROCS (4).
import { fork, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { percentile, ROOT } from "./lib.mjs";

const require = createRequire(import.meta.url);
const grpc = require("@grpc/grpc-js");
const identity = (b) => b;
const TALOS_NODE = path.join(ROOT, "bin", "talos-node");

/** Reads a protobuf varint at `pos`; returns [value, next position]. */
function varint(buf, pos) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    value += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return [value, pos];
    shift += 7;
  }
}

/** The length-delimited fields of a message, by field number (last wins), without a schema. */
function fields(buf) {
  const out = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p] = varint(buf, pos);
    pos = p;
    const wire = tag & 7;
    if (wire === 2) {
      const [len, q] = varint(buf, pos);
      out.set(tag >>> 3, buf.subarray(q, q + len));
      pos = q + len;
    } else if (wire === 0) {
      pos = varint(buf, pos)[1];
    } else {
      throw new Error(`unexpected wire type ${wire}`);
    }
  }
  return out;
}

/** The burst message of an Event (data.value is a ServiceStateEvent; its field 3 is the message). */
function burstMessage(eventBytes) {
  const data = fields(eventBytes).get(2);
  if (!data) return undefined;
  const any = fields(data);
  if (any.get(1)?.toString() !== "talos/runtime/machine.ServiceStateEvent") return undefined;
  const sse = fields(any.get(2) ?? Buffer.alloc(0));
  return sse.get(3)?.toString();
}

function waitForLine(child, pattern, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for ${pattern}: ${buffer}`)),
      timeoutMs,
    );
    const onData = (d) => {
      buffer += d;
      const m = pattern.exec(buffer);
      if (m) {
        clearTimeout(timer);
        child.stdout.off("data", onData);
        resolve(m);
      }
    };
    child.stdout.setEncoding("utf8").on("data", onData);
  });
}

function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return {
    rss: Number(/VmRSS:\s+(\d+)/.exec(status)[1]),
    peak: Number(/VmHWM:\s+(\d+)/.exec(status)[1]),
  };
}

/** CPU time (user + system) of a process so far, in ms. */
function cpuMs(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // clock ticks at USER_HZ 100
}

/**
 * One client process: `count` followers on `connections` connections to the node at `port`.
 * Tells its parent "ready" once every follower has its first message, then "done" with what
 * it received once each follower has the whole burst (or failed).
 */
function followerProcess({ port, count, connections, events }) {
  const creds = grpc.credentials.createSsl(null, null, null, {
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  const clients = [];
  for (let i = 0; i < connections; i++) {
    clients.push(new grpc.Client(`127.0.0.1:${port}`, creds, { "grpc.use_local_subchannel_pool": 1 }));
  }
  const latencies = [];
  const state = Array.from({ length: count }, () => ({ next: 1, hello: false, error: undefined }));
  let complete = 0;
  let outOfOrder = 0;
  let ready = 0;
  const finish = () => {
    complete++;
    if (complete < count) return;
    for (const c of calls) c.cancel();
    const failed = state.filter((s) => s.error);
    process.send(
      {
        type: "done",
        latencies,
        outOfOrder,
        failed: failed.length,
        firstError: failed[0]?.error.message,
        delivered: state.filter((s) => !s.error && s.next === events + 1).length,
      },
      () => {
        for (const c of clients) c.close();
        process.exit(0);
      },
    );
  };
  const calls = state.map((s, i) => {
    const call = clients[i % connections].makeServerStreamRequest(
      "/machine.MachineService/Events",
      identity,
      identity,
      Buffer.alloc(0),
    );
    call.on("data", (b) => {
      const now = performance.timeOrigin + performance.now();
      if (!s.hello) {
        s.hello = true;
        ready++;
        if (ready === count) process.send({ type: "ready" });
        return;
      }
      const text = burstMessage(b);
      const m = text && /^burst (\d{8})\/\d{8} t=([\d.]+)$/.exec(text);
      if (!m) return;
      const n = Number(m[1]);
      if (n !== s.next) outOfOrder++;
      s.next = n + 1;
      latencies.push(now - Number(m[2]));
      if (n === events) finish();
    });
    call.on("error", (err) => {
      if (err.code !== grpc.status.CANCELLED && !s.error) {
        s.error = err;
        finish();
      }
    });
    return call;
  });
}

function onMessage(child, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${type}" from a client process in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMsg = (m) => {
      if (m.type !== type) return;
      clearTimeout(timer);
      child.off("message", onMsg);
      resolve(m);
    };
    child.on("message", onMsg);
    child.once("exit", (code) => {
      if (code !== 0) {
        clearTimeout(timer);
        reject(new Error(`a client process exited with ${code}`));
      }
    });
  });
}

async function burst(rate, { followers, events, connections, procs }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-fanout-"));
  const node = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(" ") : []),
      TALOS_NODE,
      "--state-dir",
      dir,
      "--listen",
      "127.0.0.1:0",
      "--platform",
      "container",
      "--test-burst",
      `events:${events}:${rate}`,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const children = [];
  try {
    const [, port] = await waitForLine(node, /listening on 127\.0\.0\.1:(\d+) \(maintenance\)/);
    // Maintenance mode: server-only TLS, every caller a reader (Events is allowed).
    for (let p = 0; p < procs; p++) {
      const count = Math.floor(followers / procs) + (p < followers % procs ? 1 : 0);
      const conns = Math.max(1, Math.round((connections * count) / followers));
      children.push(
        fork(fileURLToPath(import.meta.url), [], {
          env: {
            ...process.env,
            BENCH_FANOUT_FOLLOWER: JSON.stringify({ port: Number(port), count, connections: conns, events }),
          },
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        }),
      );
    }
    await Promise.all(children.map((c) => onMessage(c, "ready", 120_000)));
    const done = children.map((c) => onMessage(c, "done", 300_000));
    const before = memory(node.pid);
    const cpuBefore = cpuMs(node.pid);
    const started = performance.now();
    node.kill("SIGUSR2");
    let peakSampled = before.rss;
    const sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, memory(node.pid).rss);
    }, 50);
    let results;
    try {
      results = await Promise.all(done);
    } finally {
      clearInterval(sampler);
    }
    const elapsed = performance.now() - started;
    const cpu = cpuMs(node.pid) - cpuBefore;
    const after = memory(node.pid);
    const latencies = results.flatMap((r) => r.latencies);
    const failed = results.reduce((a, r) => a + r.failed, 0);
    const delivered = results.reduce((a, r) => a + r.delivered, 0);
    const outOfOrder = results.reduce((a, r) => a + r.outOfOrder, 0);
    const firstError = results.find((r) => r.firstError)?.firstError;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const peak = Math.max(after.peak, peakSampled) / 1024;
    return {
      rate,
      delivered,
      failed,
      outOfOrder,
      messages: latencies.length,
      elapsedMs: elapsed,
      p50Ms: p50,
      p99Ms: p99,
      nodeCpuShare: cpu / elapsed,
      rssBeforeMiB: before.rss / 1024,
      peakRssMiB: peak,
      ok: failed === 0 && outOfOrder === 0 && delivered === followers,
      summary: [
        `burst ${events} events paced at ${rate}/s to ${followers} followers in ${procs} processes on ${connections} connections`,
        `  complete and in order:  ${delivered}/${followers} followers (${failed} failed, ${outOfOrder} out of order)`,
        `  messages delivered:     ${latencies.length} in ${(elapsed / 1000).toFixed(1)} s (${Math.round(latencies.length / (elapsed / 1000))}/s)`,
        `  delivery latency:       p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms${rate <= 40 ? " (target p99 < 250 ms)" : ""}`,
        `  node CPU:               ${((cpu / elapsed) * 100).toFixed(0)}% of one core over the burst`,
        `  node RSS:               ${(before.rss / 1024).toFixed(1)} MiB before, peak ${peak.toFixed(1)} MiB`,
        ...(firstError ? [`  first failure: ${firstError}`] : []),
      ],
    };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    node.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchEventsFanout() {
  const followers = Number(process.env.BENCH_FOLLOWERS ?? 500);
  const events = Number(process.env.BENCH_EVENTS ?? 2000);
  const rates = (process.env.BENCH_RATES ?? process.env.BENCH_RATE ?? "40,400").split(",").map(Number);
  const connections = Math.min(followers, Number(process.env.BENCH_CONNECTIONS ?? 50));
  const procs = Math.min(followers, Number(process.env.BENCH_CLIENT_PROCS ?? 4));
  const bursts = [];
  for (const rate of rates) bursts.push(await burst(rate, { followers, events, connections, procs }));
  return {
    name: "events-fanout",
    followers,
    events,
    connections,
    clientProcesses: procs,
    node: process.version,
    bursts: bursts.map(({ summary, ...b }) => b),
    ok: bursts.every((b) => b.ok),
    summary: [`${process.version}`, ...bursts.flatMap((b) => b.summary)],
  };
}

if (process.env.BENCH_FANOUT_FOLLOWER) {
  followerProcess(JSON.parse(process.env.BENCH_FANOUT_FOLLOWER));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchEventsFanout();
  console.log(r.summary.join("\n"));
  if (!r.ok) process.exitCode = 1;
}
