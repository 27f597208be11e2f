// The node's API against baselines measured in the same run:
// - `talosctl version` against a local configured talos-node, as a ratio to `talosctl version
//   --client` (target: at most 1.5x);
// - unary Version throughput with 64 concurrent calls over one mTLS connection, as a ratio to
//   a bare @grpc/grpc-js server with the same TLS setup answering the same bytes (target: at
//   least 0.7);
// - the resident memory of an idle configured node.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fmt, interleave, median, ROOT, TALOSCTL } from "./lib.mjs";

const require = createRequire(import.meta.url);
const grpc = require("@grpc/grpc-js");
const TALOS_NODE = path.join(ROOT, "bin", "talos-node");
const identity = (b) => b;

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

function cli(args, options) {
  const r = spawnSync(process.execPath, [TALOSCTL, ...args], { encoding: "utf8", ...options });
  if (r.status !== 0) throw new Error(`talosctl ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
}

function openssl(args, cwd) {
  execFileSync("openssl", args, { cwd, stdio: "ignore" });
}

function makeBaselinePki(dir) {
  openssl(["genpkey", "-algorithm", "ed25519", "-out", "ca.key"], dir);
  openssl(
    ["req", "-x509", "-new", "-key", "ca.key", "-subj", "/O=bench", "-days", "1", "-out", "ca.crt"],
    dir,
  );
  for (const [name, ext, subject] of [
    ["srv", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n", "/O=server"],
    ["cli", "extendedKeyUsage=clientAuth\n", "/O=os:admin"],
  ]) {
    fs.writeFileSync(path.join(dir, `${name}.ext`), ext);
    openssl(["genpkey", "-algorithm", "ed25519", "-out", `${name}.key`], dir);
    openssl(["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`], dir);
    openssl(
      [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "1",
      ].concat(["-extfile", `${name}.ext`, "-out", `${name}.crt`]),
      dir,
    );
  }
}

function relabel(pem) {
  return pem.replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, "-----$1 PRIVATE KEY-----");
}

function unary(client, body) {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest("/machine.MachineService/Version", identity, identity, body, (err, v) =>
      err ? reject(err) : resolve(v),
    );
  });
}

/** 64 concurrent callers over one connection for `ms`; returns calls per second. */
async function throughput(address, creds, ms, concurrency = 64) {
  const client = new grpc.Client(address, creds, { "grpc.ssl_target_name_override": "127.0.0.1" });
  const empty = Buffer.alloc(0);
  await unary(client, empty); // connect and warm up
  for (let i = 0; i < 200; i++) await unary(client, empty);
  let calls = 0;
  const deadline = performance.now() + ms;
  const worker = async () => {
    while (performance.now() < deadline) {
      await unary(client, empty);
      calls++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - start;
  client.close();
  return (calls / elapsed) * 1000;
}

function rssKiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
}

export async function benchNodeApi(runs = Number(process.env.BENCH_RUNS ?? 10)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-node-"));
  const env = { ...process.env, TALOSCONFIG: path.join(dir, "talosconfig"), HOME: dir };
  const node = spawn(
    process.execPath,
    [TALOS_NODE, "--state-dir", path.join(dir, "state"), "--listen", "127.0.0.1:0"],
    {
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  let baseline;
  try {
    const [, , port] = await waitForLine(node, /listening on (\S+):(\d+) \(maintenance\)/);
    const address = `127.0.0.1:${port}`;
    cli(["gen", "config", "bench", "https://127.0.0.1:6443", "-o", dir, "--force"], { env });
    const configured = waitForLine(node, /listening on \S+:\d+ \(configured\)/);
    cli(["apply-config", "--insecure", "-n", address, "-f", path.join(dir, "controlplane.yaml")], { env });
    await configured;
    cli(["config", "endpoint", address], { env });
    cli(["config", "node", "127.0.0.1"], { env });

    // 1. talosctl version against the node vs --client.
    const [client, server] = interleave(
      [
        { cmd: process.execPath, args: [TALOSCTL, "version", "--client"], options: { env } },
        { cmd: process.execPath, args: [TALOSCTL, "version"], options: { env } },
      ],
      runs,
    );

    // 2. Throughput against the node and against a bare grpc-js server.
    const tc = fs.readFileSync(env.TALOSCONFIG, "utf8");
    const field = (k) => Buffer.from(new RegExp(`\\n\\s+${k}: (\\S+)`).exec(tc)[1], "base64").toString();
    const nodeCreds = grpc.credentials.createSsl(
      Buffer.from(field("ca")),
      Buffer.from(relabel(field("key"))),
      Buffer.from(field("crt")),
    );
    const probe = new grpc.Client(address, nodeCreds, { "grpc.ssl_target_name_override": "127.0.0.1" });
    const reply = await unary(probe, Buffer.alloc(0));
    probe.close();
    fs.writeFileSync(path.join(dir, "reply.bin"), reply);
    makeBaselinePki(dir);
    baseline = spawn(process.execPath, [path.join(ROOT, "bench", "fixtures", "bare-server.cjs")], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        ...process.env,
        BENCH_CA: path.join(dir, "ca.crt"),
        BENCH_CERT: path.join(dir, "srv.crt"),
        BENCH_KEY: path.join(dir, "srv.key"),
        BENCH_REPLY: path.join(dir, "reply.bin"),
      },
    });
    const [, basePort] = await waitForLine(baseline, /listening on 127\.0\.0\.1:(\d+)/);
    const baseCreds = grpc.credentials.createSsl(
      fs.readFileSync(path.join(dir, "ca.crt")),
      fs.readFileSync(path.join(dir, "cli.key")),
      fs.readFileSync(path.join(dir, "cli.crt")),
    );
    const seconds = Number(process.env.BENCH_SECONDS ?? 5);
    const nodeRates = [];
    const baseRates = [];
    for (let i = 0; i < 3; i++) {
      baseRates.push(await throughput(`127.0.0.1:${basePort}`, baseCreds, seconds * 1000));
      nodeRates.push(await throughput(address, nodeCreds, seconds * 1000));
    }

    // 3. Idle memory.
    await new Promise((r) => setTimeout(r, 3000));
    const idleRss = rssKiB(node.pid);

    const c = median(client);
    const s = median(server);
    const nodeRate = median(nodeRates);
    const baseRate = median(baseRates);
    return {
      name: "node-api",
      runs,
      versionClientMs: c,
      versionServerMs: s,
      versionRatio: s / c,
      nodeCallsPerSecond: nodeRate,
      bareCallsPerSecond: baseRate,
      throughputRatio: nodeRate / baseRate,
      idleRssMiB: idleRss / 1024,
      summary: [
        `talosctl version --client:        ${fmt(c)} (median of ${runs})`,
        `talosctl version (local node):    ${fmt(s)}  ratio ${(s / c).toFixed(2)}x (target <= 1.5x)`,
        `Version, 64 concurrent, 1 conn:   node ${nodeRate.toFixed(0)}/s, bare grpc-js ${baseRate.toFixed(0)}/s, ratio ${(nodeRate / baseRate).toFixed(2)} (target >= 0.7)`,
        `idle configured node RSS:         ${(idleRss / 1024).toFixed(1)} MiB`,
      ],
    };
  } finally {
    node.kill("SIGTERM");
    baseline?.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log((await benchNodeApi()).summary.join("\n"));
}
