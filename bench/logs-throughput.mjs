// `talosctl logs SERVICE --tail -1` of a full log ring, end to end, against a bare grpc-js
// client reading the same Logs stream from the same node in the same run:
// - the node is configured, then its --test-burst aid writes 2 MB of 100-byte lines into one
//   service's log, more than the ring keeps (about 1 MiB), so the ring is full;
// - "bare": a raw @grpc/grpc-js stream (same mTLS credentials), counting the payload bytes;
// - "talosctl": the real CLI as a process, stdout drained through a pipe;
// - "talosctl --tail 0": the same command with nothing to stream (process start, config,
//   TLS and the call), subtracted to give the CLI's streaming rate on its own.
// Figures are MB/s of log payload (the ring's bytes), medians of interleaved runs. The ring may
// grow a little while the bench runs (the node logs the calls it serves); each round's rates
// use the bytes its own bare read saw, so a round never compares different amounts.
import { median } from "./lib.mjs";
import {
  benchClient,
  dataBytes,
  identity,
  logsRequest,
  runTalosctl,
  startConfiguredNode,
} from "./node-lib.mjs";

const SERVICE = "apid";
const BURST_LINES = 20_000;

/** One bare grpc-js read of the whole ring: a fresh client (TLS handshake included). */
function bareRead(address, creds) {
  return new Promise((resolve, reject) => {
    const client = benchClient(address, creds);
    const call = client.makeServerStreamRequest(
      "/machine.MachineService/Logs",
      identity,
      identity,
      logsRequest(SERVICE),
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

async function timed(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export async function benchLogsThroughput(runs = Number(process.env.BENCH_RUNS ?? 10)) {
  const { node, address, env, creds, stop } = await startConfiguredNode([
    "--test-burst",
    `log:${SERVICE}:${BURST_LINES}`,
  ]);
  const run = runTalosctl;
  try {
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
    const bytes = [];
    let cliOut = 0;
    for (let i = 0; i < runs + 2; i++) {
      const b = await timed(() => bareRead(address, creds));
      const c = await timed(() => run(["logs", SERVICE, "--tail", "-1"], env));
      const e = await timed(() => run(["logs", SERVICE, "--tail", "0"], env));
      if (b.value < ring / 2) throw new Error(`the ring shrank during the run: ${b.value} < ${ring} bytes`);
      if (i < 2) continue; // warm-up
      bytes.push(b.value);
      bare.push(b.ms);
      cli.push(c.ms);
      empty.push(e.ms);
      cliOut = c.value;
    }
    const rate = (i, ms) => bytes[i] / 1e6 / (Math.max(1, ms) / 1000);
    const bareMs = median(bare);
    const cliMs = median(cli);
    const emptyMs = median(empty);
    const streamMs = Math.max(1, cliMs - emptyMs);
    const bareRate = median(bare.map((ms, i) => rate(i, ms)));
    const cliRate = median(cli.map((ms, i) => rate(i, ms)));
    const streamRate = median(cli.map((ms, i) => rate(i, ms - empty[i])));
    ring = median(bytes);
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
        `full ${SERVICE} ring:                    ${(ring / 1024).toFixed(0)} KiB of log (median) (${cliOut} bytes printed with node prefixes)`,
        `bare grpc-js Logs stream (baseline): ${bareMs.toFixed(1)} ms, ${bareRate.toFixed(1)} MB/s (median of ${runs}, ${process.version})`,
        `talosctl logs --tail -1 (process):   ${cliMs.toFixed(1)} ms, ${cliRate.toFixed(1)} MB/s, ratio ${(cliRate / bareRate).toFixed(2)}`,
        `talosctl logs --tail 0 (no data):    ${emptyMs.toFixed(1)} ms (start-up, config, TLS, call)`,
        `talosctl streaming alone:            ${streamMs.toFixed(1)} ms, ${streamRate.toFixed(1)} MB/s, ratio ${(streamRate / bareRate).toFixed(2)}`,
      ],
    };
  } finally {
    stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await benchLogsThroughput()).summary.join("\n"));
}
