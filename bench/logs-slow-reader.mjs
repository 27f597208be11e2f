// A slow log follower: one bare grpc-js Logs follower on apid takes one message a second
// for BENCH_SECONDS (60) while the node's --test-burst aid writes apid lines fast (2,000
// 100-byte lines a second, 200 kB/s). The node must hold the reader back through HTTP/2 flow
// control instead of queueing for it, and tell it when the ring overtook it (DATA_LOSS); the
// follower then starts again from the newest line. Reported: the node's RSS sampled every
// second (first and last ten seconds, maximum), and how often the follower was told it fell
// behind.
import {
  benchClient,
  dataBytes,
  grpc,
  identity,
  logsRequest,
  memory,
  startConfiguredNode,
} from "./node-lib.mjs";

const SERVICE = "apid";
const RATE = 2_000;

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function benchLogsSlowReader(seconds = Number(process.env.BENCH_SECONDS ?? 60)) {
  const lines = RATE * (seconds + 5);
  const { node, address, creds, stop } = await startConfiguredNode([
    "--test-burst",
    `log:${SERVICE}:${lines}:${RATE}`,
  ]);
  const client = benchClient(address, creds);
  try {
    let messages = 0;
    let bytes = 0;
    let fellBehind = 0;
    let otherError;
    let call;
    const follow = () => {
      call = client.makeServerStreamRequest(
        "/machine.MachineService/Logs",
        identity,
        identity,
        logsRequest(SERVICE, { follow: true, tailLines: 0 }),
      );
      const current = call;
      current.on("data", (m) => {
        messages++;
        bytes += dataBytes(m);
        current.pause();
        setTimeout(() => current.resume(), 1_000);
      });
      current.on("error", (e) => {
        if (e.code === grpc.status.DATA_LOSS) {
          fellBehind++;
          follow();
        } else if (e.code !== grpc.status.CANCELLED) otherError = e;
      });
    };
    follow();
    await new Promise((r) => setTimeout(r, 500));
    node.kill("SIGUSR2");
    const samples = [];
    for (let i = 0; i < seconds; i++) {
      await new Promise((r) => setTimeout(r, 1_000));
      samples.push(memory(node.pid).rss / 1024);
    }
    call.cancel();
    if (otherError) throw otherError;
    const head = mean(samples.slice(0, 10));
    const tail = mean(samples.slice(-10));
    const max = Math.max(...samples);
    return {
      name: "logs-slow-reader",
      seconds,
      writtenBytesPerSecond: RATE * 100,
      messages,
      bytesReceived: bytes,
      fellBehind,
      rssFirst10MiB: head,
      rssLast10MiB: tail,
      rssMaxMiB: max,
      summary: [
        `writer: ${RATE} lines/s (${((RATE * 100) / 1000).toFixed(0)} kB/s) into ${SERVICE}; reader: 1 message/s for ${seconds} s`,
        `reader got ${messages} messages (${(bytes / 1024).toFixed(0)} KiB), told it fell behind ${fellBehind} times`,
        `node RSS: first 10 s ${head.toFixed(1)} MiB, last 10 s ${tail.toFixed(1)} MiB (${(tail - head >= 0 ? "+" : "") + (tail - head).toFixed(1)}), max ${max.toFixed(1)} MiB`,
      ],
    };
  } finally {
    client.close();
    stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await benchLogsSlowReader()).summary.join("\n"));
}
