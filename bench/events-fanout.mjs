// Events fan-out: many concurrent MachineService.Events followers on one talos-node while it
// publishes a burst of numbered events (the node's --test-burst aid, triggered by SIGUSR2).
// Every follower must receive every burst event exactly once and in order; reported are the
// delivery latency (production stamp in the event to arrival at the follower) p50/p99 and the
// node's peak resident memory.
//
// On a 2-core machine the followers' own process receiving 500 streams is the limit (the node
// idles about a third of the time at 18,000 messages a second), so the default pace, 40 events
// a second (20,000 messages a second to 500 followers), is one such a machine can receive.
//
// Knobs: BENCH_FOLLOWERS (500), BENCH_EVENTS (2000), BENCH_RATE (events per second the burst is
// paced at; the ring keeps 1000 events, so the pace must let followers keep up), BENCH_CONNECTIONS
// (50 client connections the followers share).
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
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

export async function benchEventsFanout() {
  const followers = Number(process.env.BENCH_FOLLOWERS ?? 500);
  const events = Number(process.env.BENCH_EVENTS ?? 2000);
  const rate = Number(process.env.BENCH_RATE ?? 40);
  const connections = Math.min(followers, Number(process.env.BENCH_CONNECTIONS ?? 50));
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
  const clients = [];
  try {
    const [, port] = await waitForLine(node, /listening on 127\.0\.0\.1:(\d+) \(maintenance\)/);
    // Maintenance mode: server-only TLS, every caller a reader (Events is allowed).
    const creds = grpc.credentials.createSsl(null, null, null, {
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    for (let i = 0; i < connections; i++) {
      clients.push(new grpc.Client(`127.0.0.1:${port}`, creds, { "grpc.use_local_subchannel_pool": 1 }));
    }
    const latencies = [];
    const state = Array.from({ length: followers }, () => ({ next: 1, hello: false, error: undefined }));
    let complete = 0;
    let outOfOrder = 0;
    let allDone;
    const finished = new Promise((resolve) => {
      allDone = resolve;
    });
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
          return;
        }
        const text = burstMessage(b);
        const m = text && /^burst (\d{8})\/\d{8} t=([\d.]+)$/.exec(text);
        if (!m) return;
        const n = Number(m[1]);
        if (n !== s.next) outOfOrder++;
        s.next = n + 1;
        latencies.push(now - Number(m[2]));
        if (n === events) {
          complete++;
          if (complete === followers) allDone();
        }
      });
      call.on("error", (err) => {
        if (err.code !== grpc.status.CANCELLED) {
          s.error = err;
          complete++;
          if (complete === followers) allDone();
        }
      });
      return call;
    });
    const startWait = Date.now();
    while (state.some((s) => !s.hello)) {
      if (Date.now() - startWait > 60_000) throw new Error("followers did not connect within 60 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = memory(node.pid);
    const started = performance.now();
    node.kill("SIGUSR2");
    let peakSampled = before.rss;
    const sampler = setInterval(() => {
      peakSampled = Math.max(peakSampled, memory(node.pid).rss);
    }, 50);
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error("burst not delivered within 300 s")), 300_000),
    );
    await Promise.race([finished, timeout]);
    const elapsed = performance.now() - started;
    clearInterval(sampler);
    const after = memory(node.pid);
    for (const c of calls) c.cancel();
    const failed = state.filter((s) => s.error).length;
    const delivered = state.filter((s) => !s.error && s.next === events + 1).length;
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const ok = failed === 0 && outOfOrder === 0 && delivered === followers;
    return {
      name: "events-fanout",
      followers,
      events,
      rate,
      connections,
      delivered,
      failed,
      outOfOrder,
      messages: latencies.length,
      elapsedMs: elapsed,
      p50Ms: p50,
      p99Ms: p99,
      rssBeforeMiB: before.rss / 1024,
      peakRssMiB: Math.max(after.peak, peakSampled) / 1024,
      ok,
      summary: [
        `followers ${followers} on ${connections} connections, burst ${events} events paced at ${rate}/s`,
        `complete and in order:            ${delivered}/${followers} followers (${failed} failed, ${outOfOrder} out of order)`,
        `messages delivered:               ${latencies.length} in ${(elapsed / 1000).toFixed(1)} s (${Math.round(latencies.length / (elapsed / 1000))}/s)`,
        `delivery latency:                 p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
        `node RSS:                         ${(before.rss / 1024).toFixed(1)} MiB before, peak ${(Math.max(after.peak, peakSampled) / 1024).toFixed(1)} MiB`,
        ...(state.find((s) => s.error) ? [`first failure: ${state.find((s) => s.error).error.message}`] : []),
      ],
    };
  } finally {
    for (const c of clients) c.close();
    node.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchEventsFanout();
  console.log(r.summary.join("\n"));
  if (!r.ok) process.exitCode = 1;
}
