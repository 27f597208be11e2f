// The README's main job: start an emulated Talos node, generate a cluster's configs, apply the
// control-plane config through the maintenance API, then drive the node over mTLS with the
// talosconfig that `gen config` wrote. Everything lives in _out/demo; --keep leaves the node up.
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "_out", "demo");
const keep = process.argv.includes("--keep");
const talosctl = path.join(root, "bin", "talosctl");
const env = { ...process.env, TALOSCONFIG: path.join(out, "talosconfig") };

function step(args) {
  process.stdout.write(`\n$ talosctl ${args.join(" ")}\n`);
  const r = spawnSync(process.execPath, [talosctl, ...args], { cwd: out, env, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`talosctl ${args[0]} failed (exit ${r.status})`);
}

function waitFor(child, pattern) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`talos-node did not print ${pattern}`)), 30_000);
    child.stdout.setEncoding("utf8").on("data", (d) => {
      seen += d;
      const m = pattern.exec(seen);
      if (m) {
        clearTimeout(timer);
        seen = "";
        resolve(m);
      }
    });
  });
}

fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
process.stdout.write(`starting talos-node (state in ${path.relative(root, out)}/state)\n`);
const node = spawn(
  process.execPath,
  [path.join(root, "bin", "talos-node"), "--state-dir", path.join(out, "state"), "--listen", "127.0.0.1:0"],
  { stdio: ["ignore", "pipe", fs.openSync(path.join(out, "node.log"), "w")] },
);
try {
  const [, port] = await waitFor(node, /listening on 127\.0\.0\.1:(\d+) \(maintenance\)/);
  const address = `127.0.0.1:${port}`;
  step(["gen", "config", "demo", "https://127.0.0.1:6443"]);
  step(["version", "--insecure", "-n", address]);
  const configured = waitFor(node, /listening on \S+ \(configured\)/);
  step(["apply-config", "--insecure", "-n", address, "-f", "controlplane.yaml"]);
  await configured;
  step(["config", "endpoint", address]);
  step(["config", "node", "127.0.0.1"]);
  step(["version"]);
  step(["get", "machinestatus"]);
  step(["get", "rd"]);
  step(["apply-config", "-f", "controlplane.yaml", "--dry-run"]);
  if (keep) {
    process.stdout.write(
      `\nthe node keeps running (pid ${node.pid}); try:\n  export TALOSCONFIG=${env.TALOSCONFIG}\n  ./bin/talosctl get services\n`,
    );
    node.unref();
    process.exit(0);
  }
  process.stdout.write("\ndone; the node's log is in _out/demo/node.log (run with --keep to leave it up)\n");
} finally {
  if (!keep) node.kill("SIGTERM");
}
