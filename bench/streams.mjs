// Streams of data from a node: `talosctl dmesg`, `read` of a 100 MiB file and `copy` of a
// 100 MiB tree (to stdout, as the .tar.gz the node sends), each against a bare grpc-js client
// making the same call on the same node in the same run (fresh client, TLS handshake included,
// payload bytes counted). Reported per stream: the bare rate (the baseline), the CLI's rate for
// the whole process and for the streaming part alone (the whole run minus a run of the same
// command that streams almost nothing), as ratios to the bare rate (targets: at least 0.8x).
// Then the CLI's peak resident memory reading a 1 GiB (sparse) file, against its peak reading
// a small one: it must stay flat (no unbounded buffering).
//
// Knobs: BENCH_RUNS (5), BENCH_STREAM_MIB (100).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { median, TALOSCTL } from "./lib.mjs";
import { benchClient, dataBytes, identity, startConfiguredNode } from "./node-lib.mjs";

const MIB = 1024 * 1024;

function field(number, bytes) {
  const b = Buffer.from(bytes);
  const out = [];
  let len = b.length;
  do {
    let x = len & 0x7f;
    len >>>= 7;
    if (len !== 0) x |= 0x80;
    out.push(x);
  } while (len !== 0);
  return Buffer.concat([Buffer.from([(number << 3) | 2, ...out]), b]);
}

function bareCall(address, creds, method, request) {
  return new Promise((resolve, reject) => {
    const client = benchClient(address, creds);
    const call = client.makeServerStreamRequest(
      `/machine.MachineService/${method}`,
      identity,
      identity,
      request,
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

/** Runs talosctl with stdout drained; resolves with bytes printed and the peak RSS (KiB) seen. */
function cli(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TALOSCTL, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    let out = 0;
    let err = "";
    let peak = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]));
      } catch {
        // gone
      }
    };
    const timer = setInterval(sample, 20);
    child.stdout.on("data", (d) => {
      out += d.length;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      err += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(timer);
      if (code === 0) resolve({ out, peak });
      else reject(new Error(`talosctl ${args.join(" ")}: ${err}`));
    });
  });
}

async function timed(fn) {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

export async function benchStreams(runs = Number(process.env.BENCH_RUNS ?? 3)) {
  const mib = Number(process.env.BENCH_STREAM_MIB ?? 100);
  const { address, env, creds, dir, stop } = await startConfiguredNode();
  try {
    const rootfs = path.join(dir, "state", "rootfs");
    if (!fs.existsSync(rootfs)) throw new Error(`no node root filesystem at ${rootfs}`);
    const benchDir = path.join(rootfs, "var", "bench");
    fs.mkdirSync(path.join(benchDir, "tree"), { recursive: true });
    // 1 MiB of random bytes repeated: gzip's 32 KiB window finds nothing to shorten.
    const block = Buffer.alloc(MIB);
    for (let i = 0; i < MIB; i += 4) block.writeUInt32LE((Math.random() * 2 ** 32) >>> 0, i);
    const big = fs.openSync(path.join(benchDir, "big.bin"), "w");
    for (let i = 0; i < mib; i++) fs.writeSync(big, block);
    fs.closeSync(big);
    for (let i = 0; i < mib; i++) fs.writeFileSync(path.join(benchDir, "tree", `f${i}`), block);
    fs.writeFileSync(path.join(benchDir, "small.bin"), "x");
    fs.mkdirSync(path.join(benchDir, "tiny"));
    fs.writeFileSync(path.join(benchDir, "tiny", "f"), "x");
    const sparse = path.join(benchDir, "sparse.bin");
    fs.closeSync(fs.openSync(sparse, "w"));
    fs.truncateSync(sparse, 1024 * MIB);

    const streams = [
      {
        name: "dmesg",
        bare: () => bareCall(address, creds, "Dmesg", Buffer.alloc(0)),
        cli: ["dmesg"],
        empty: ["read", "/var/bench/small.bin"],
      },
      {
        name: `read ${mib} MiB`,
        bare: () => bareCall(address, creds, "Read", field(1, "/var/bench/big.bin")),
        cli: ["read", "/var/bench/big.bin"],
        empty: ["read", "/var/bench/small.bin"],
      },
      {
        name: `copy ${mib} MiB tree`,
        bare: () => bareCall(address, creds, "Copy", field(1, "/var/bench/tree")),
        cli: ["copy", "/var/bench/tree", "-"],
        empty: ["copy", "/var/bench/tiny", "-"],
      },
    ];
    const results = [];
    for (const s of streams) {
      const bare = [];
      const whole = [];
      const stream = [];
      let bytes = 0;
      for (let i = 0; i < runs + 1; i++) {
        const b = await timed(s.bare);
        const c = await timed(() => cli(s.cli, env));
        const e = await timed(() => cli(s.empty, env));
        if (i === 0) continue; // warm-up (code caches, page cache)
        bytes = b.value;
        bare.push(bytes / MIB / (b.ms / 1000));
        whole.push(bytes / MIB / (c.ms / 1000));
        stream.push(bytes / MIB / (Math.max(1, c.ms - e.ms) / 1000));
      }
      const r = {
        name: s.name,
        bytes,
        bareMiBps: median(bare),
        cliMiBps: median(whole),
        streamMiBps: median(stream),
      };
      r.ratio = r.cliMiBps / r.bareMiBps;
      r.streamRatio = r.streamMiBps / r.bareMiBps;
      results.push(r);
    }
    const small = await cli(["read", "/var/bench/small.bin"], env);
    const large = await cli(["read", "/var/bench/sparse.bin"], env);
    return {
      name: "streams",
      runs,
      node: process.version,
      streams: results,
      rssSmallReadMiB: small.peak / 1024,
      rss1GiBReadMiB: large.peak / 1024,
      target: ">= 0.8x bare grpc-js; RSS flat on a 1 GiB read",
      summary: [
        `baseline: a bare grpc-js client making the same call (${process.version}, medians of ${runs})`,
        ...results.map(
          (r) =>
            `${r.name.padEnd(18)} ${(r.bytes / MIB).toFixed(1).padStart(6)} MiB  bare ${r.bareMiBps.toFixed(1)} MiB/s; ` +
            `talosctl ${r.cliMiBps.toFixed(1)} MiB/s (${r.ratio.toFixed(2)}x), streaming alone ${r.streamMiBps.toFixed(1)} MiB/s (${r.streamRatio.toFixed(2)}x)`,
        ),
        `talosctl peak RSS: read of 1 byte ${(small.peak / 1024).toFixed(1)} MiB, read of 1 GiB ${(large.peak / 1024).toFixed(1)} MiB`,
      ],
    };
  } finally {
    stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await benchStreams()).summary.join("\n"));
}
