// Benchmark helpers that run real talos-node processes: start one, configure it through its
// maintenance API with the real CLI, and hand back mTLS credentials for bare grpc-js clients.
import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { ROOT, TALOSCTL } from "./lib.mjs";

const require = createRequire(import.meta.url);
export const grpc = require("@grpc/grpc-js");
export const TALOS_NODE = path.join(ROOT, "bin", "talos-node");
export const identity = (b) => b;

/** Resolves with the match once the child's stdout matches `pattern`. */
export function waitForLine(child, pattern, timeoutMs = 60_000) {
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

/** Runs talosctl as a process; resolves with the bytes it printed, rejects on a non-zero exit. */
export function runTalosctl(args, env) {
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

/** Resident and peak resident memory of a process, in KiB. */
export function memory(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return {
    rss: Number(/VmRSS:\s+(\d+)/.exec(status)[1]),
    peak: Number(/VmHWM:\s+(\d+)/.exec(status)[1]),
  };
}

function relabel(pem) {
  return pem.replace(/-----(BEGIN|END) ED25519 PRIVATE KEY-----/g, "-----$1 PRIVATE KEY-----");
}

/**
 * Starts a talos-node with `args`, applies a generated control-plane config through the
 * maintenance API and points a talosconfig at it. `stop()` kills it and removes its files.
 */
export async function startConfiguredNode(args = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-node-"));
  const env = { ...process.env, TALOSCONFIG: path.join(dir, "talosconfig"), HOME: dir };
  const node = spawn(
    process.execPath,
    [TALOS_NODE, "--state-dir", path.join(dir, "state"), "--listen", "127.0.0.1:0", ...args],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  const stop = () => {
    node.kill("SIGTERM");
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [, , port] = await waitForLine(node, /listening on (\S+):(\d+) \(maintenance\)/);
    const address = `127.0.0.1:${port}`;
    await runTalosctl(["gen", "config", "bench", "https://127.0.0.1:6443", "-o", dir, "--force"], env);
    const configured = waitForLine(node, /listening on \S+:\d+ \(configured\)/);
    await runTalosctl(
      ["apply-config", "--insecure", "-n", address, "-f", path.join(dir, "controlplane.yaml")],
      env,
    );
    await configured;
    await runTalosctl(["config", "endpoint", address], env);
    await runTalosctl(["config", "node", "127.0.0.1"], env);
    const tc = fs.readFileSync(env.TALOSCONFIG, "utf8");
    const field = (k) => Buffer.from(new RegExp(`\\n\\s+${k}: (\\S+)`).exec(tc)[1], "base64").toString();
    const creds = grpc.credentials.createSsl(
      Buffer.from(field("ca")),
      Buffer.from(relabel(field("key"))),
      Buffer.from(field("crt")),
    );
    return { node, address, env, creds, dir, stop };
  } catch (err) {
    stop();
    throw err;
  }
}

/** A grpc-js client for a benchmark node (own connection, large messages allowed). */
export function benchClient(address, creds) {
  return new grpc.Client(address, creds, {
    "grpc.ssl_target_name_override": "127.0.0.1",
    "grpc.max_receive_message_length": 32 * 1024 * 1024,
    "grpc.use_local_subchannel_pool": 1,
  });
}

/** Field 2 (`bytes`) of a common.Data message, without a protobuf library: its length. */
export function dataBytes(msg) {
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

/** LogsRequest{namespace: "system", id, follow, tail_lines}, encoded by hand. */
export function logsRequest(id, { follow = false, tailLines = -1 } = {}) {
  const ns = Buffer.from("system");
  const name = Buffer.from(id);
  const parts = [Buffer.from([0x0a, ns.length]), ns, Buffer.from([0x12, name.length]), name];
  if (follow) parts.push(Buffer.from([0x20, 0x01]));
  if (tailLines !== 0) {
    // int32 varint: negative values take ten bytes of two's complement.
    const bytes = [];
    let v = BigInt.asUintN(64, BigInt(tailLines));
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      bytes.push(b);
    } while (v !== 0n);
    parts.push(Buffer.from([0x28, ...bytes]));
  }
  return Buffer.concat(parts);
}
