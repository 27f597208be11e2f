// `talosctl logs SERVICE --tail -1` of a full log ring, end to end, against a bare grpc-js
// client reading the same Logs stream from the same node in the same run:
// - the node is configured, then its --test-burst aid writes 2 MB of 100-byte lines into one
//   service's log, more than the ring keeps (about 1 MiB), so the ring is full;
// - "bare": a raw @grpc/grpc-js stream (same mTLS credentials), counting the payload bytes;
// - "talosctl": the real CLI as a process, stdout drained through a pipe;
// - "talosctl --tail 0": the same command with nothing to stream (process start, config,
//   TLS and the call), subtracted to give the CLI's streaming rate on its own.
// Figures are MB/s of log payload (the ring's bytes), medians of interleaved runs.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { median, ROOT, TALOSCTL } from "./lib.mjs";

const require = createRequire(import.meta.url);
const grpc = require("@grpc/grpc-js");
const TALOS_NODE = path.join(ROOT, "bin", "talos-node");
const SERVICE = "apid";
const BURST_LINES = 20_000;
const identity = (b) => b;

function waitForLine(child, pattern, timeoutMs = 60_000) {
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

function run(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TALOSCTL, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = 0;
    let err = "";
    child.stdout.on("data", (d) => {
      out += d.length;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`talosctl ${args.join(" ")}: ${err}`)),
    );
  });
}

/** Field 2 (`bytes`) of a common.Data message, without a protobuf library: its length. */
function dataBytes(msg) {
  let pos = 0;
  let total = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = msg[pos++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  while (pos < msg.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 2) {
      const len = varint();
      if (tag >>> 3 === 2) total += len;
      pos += len;
    } else if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unexpected wire type ${wire}`);
  }
  return total;
}

/** LogsRequest{namespace: "system", id, tail_lines: -1}, encoded by hand. */
function logsRequest(id) {
  const ns = Buffer.from("system");
  const name = Buffer.from(id);
  // tail_lines = -1 as an int32 varint: ten bytes of two's complement.
  const minusOne = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  return Buffer.concat([
    Buffer.from([0x0a, ns.length]),
    ns,
    Buffer.from([0x12, name.length]),
    name,
    Buffer.from([0x28]),
    minusOne,
  ]);
}

/** One bare grpc-js read of the whole ring: a fresh client (TLS handshake included). */
function bareRead(address, creds) {
  return new Promise((resolve, reject) => {
    const client = new grpc.Client(address, creds, {
      "grpc.ssl_target_name_override": "127.0.0.1",
      "grpc.max_receive_message_length": 32 * 1024 * 1024,
      "grpc.use_local_subchannel_pool": 1,
    });
    const meta = new grpc.Metadata();
    meta.set("node", "127.0.0.1");
    const call = client.makeServerStreamRequest(
      "/machine.MachineService/Logs",
      identity,
      identity,
      logsRequest(SERVICE),
      meta,
    );
    let bytes = 0;
    call.on("data", (m) => {
      bytes += dataBytes(m);
    });
    call.on("error", (e) => {
      client.close();
      reject(e);
    });
    call.on("end", () => {
      client.close();
      resolve(bytes);
    });
  });
}

function relabel(pem) {
  return pem.replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, "-----$1 PRIVATE KEY-----");
}

async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export async function benchLogsThroughput(runs = Number(process.env.BENCH_RUNS ?? 10)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-logs-"));
  const env = { ...process.env, TALOSCONFIG: path.join(dir, "talosconfig"), HOME: dir };
  const node = spawn(
    process.execPath,
    [
      TALOS_NODE,
      "--state-dir",
      path.join(dir, "state"),
      "--listen",
      "127.0.0.1:0",
      "--test-burst",
      `log:${SERVICE}:${BURST_LINES}`,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  try {
    const [, , port] = await waitForLine(node, /listening on (\S+):(\d+) \(maintenance\)/);
    const address = `127.0.0.1:${port}`;
    await run(["gen", "config", "bench", "https://127.0.0.1:6443", "-o", dir, "--force"], env);
    const configured = waitForLine(node, /listening on \S+:\d+ \(configured\)/);
    await run(["apply-config", "--insecure", "-n", address, "-f", path.join(dir, "controlplane.yaml")], env);
    await configured;
    await run(["config", "endpoint", address], env);
    await run(["config", "node", "127.0.0.1"], env);

    const tc = fs.readFileSync(env.TALOSCONFIG, "utf8");
    const field = (k) => Buffer.from(new RegExp(`\\n\\s+${k}: (\\S+)`).exec(tc)[1], "base64").toString();
    const creds = grpc.credentials.createSsl(
      Buffer.from(field("ca")),
      Buffer.from(relabel(field("key"))),
      Buffer.from(field("crt")),
    );

    // Fill the ring: 2 MB of lines into a ring that keeps about 1 MiB.
    const before = await bareRead(address, creds);
    node.kill("SIGUSR2");
    let ring = before;
    for (let i = 0; i < 100 && ring <= before + 512 * 1024; i++) {
      await new Promise((r) => setTimeout(r, 50));
      ring = await bareRead(address, creds);
    }

    const bare = [];
    const cli = [];
    const empty = [];
    let cliOut = 0;
    for (let i = 0; i < runs + 2; i++) {
      const b = await timed(() => bareRead(address, creds));
      const c = await timed(() => run(["logs", SERVICE, "--tail", "-1"], env));
      const e = await timed(() => run(["logs", SERVICE, "--tail", "0"], env));
      if (b.value !== ring) throw new Error(`the ring changed during the run: ${b.value} != ${ring} bytes`);
      if (i < 2) continue; // warm-up
      bare.push(b.ms);
      cli.push(c.ms);
      empty.push(e.ms);
      cliOut = c.value;
    }
    const mb = ring / 1e6;
    const bareMs = median(bare);
    const cliMs = median(cli);
    const emptyMs = median(empty);
    const streamMs = Math.max(1, cliMs - emptyMs);
    const bareRate = mb / (bareMs / 1000);
    const cliRate = mb / (cliMs / 1000);
    const streamRate = mb / (streamMs / 1000);
    return {
      name: "logs-throughput",
      runs,
      ringBytes: ring,
      cliOutputBytes: cliOut,
      bareMs,
      cliMs,
      cliEmptyMs: emptyMs,
      bareMBps: bareRate,
      cliMBps: cliRate,
      cliStreamingMBps: streamRate,
      ratio: cliRate / bareRate,
      streamingRatio: streamRate / bareRate,
      summary: [
        `full ${SERVICE} ring:                    ${(ring / 1024).toFixed(0)} KiB of log (${cliOut} bytes printed with node prefixes)`,
        `bare grpc-js Logs stream:            ${bareMs.toFixed(1)} ms, ${bareRate.toFixed(1)} MB/s (median of ${runs})`,
        `talosctl logs --tail -1 (process):   ${cliMs.toFixed(1)} ms, ${cliRate.toFixed(1)} MB/s, ratio ${(cliRate / bareRate).toFixed(2)}`,
        `talosctl logs --tail 0 (no data):    ${emptyMs.toFixed(1)} ms (start-up, config, TLS, call)`,
        `talosctl streaming alone:            ${streamMs.toFixed(1)} ms, ${streamRate.toFixed(1)} MB/s, ratio ${(streamRate / bareRate).toFixed(2)}`,
      ],
    };
  } finally {
    node.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await benchLogsThroughput()).summary.join("\n"));
}
