// The README's main job: `talosctl cluster create` starts a small local cluster of talos-node
// processes (one control plane, one worker) and waits until it is healthy; then talosctl
// drives it over mTLS (version, health, discovery members, etcd members), and the cluster is
// destroyed unless --keep is given. Everything lives in _out/demo.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "_out", "demo");
const keep = process.argv.includes("--keep");
const talosctl = path.join(root, "bin", "talosctl");
const state = path.join(out, "clusters");
const env = {
  ...process.env,
  TALOSCONFIG: path.join(out, "talosconfig"),
  KUBECONFIG: path.join(out, "kubeconfig"),
};
const name = "demo";
const controlPlane = "127.5.0.2";

function step(args, { show = true } = {}) {
  if (show) process.stdout.write(`\n$ talosctl ${args.join(" ")}\n`);
  const r = spawnSync(process.execPath, [talosctl, ...args], { cwd: out, env, stdio: "inherit" });
  if (r.status !== 0) throw new Error(`talosctl ${args.slice(0, 2).join(" ")} failed (exit ${r.status})`);
}

const destroy = () => step(["cluster", "destroy", "--name", name, "--state", state, "--force"]);

fs.mkdirSync(out, { recursive: true });
// A cluster left over from an earlier `--keep` run is replaced.
if (fs.existsSync(path.join(state, name))) destroy();
fs.rmSync(env.TALOSCONFIG, { force: true });
fs.rmSync(env.KUBECONFIG, { force: true });
let ok = false;
try {
  step(["cluster", "create", "--name", name, "--state", state, "--controlplanes", "1", "--workers", "1"]);
  step(["-n", controlPlane, "version"]);
  step(["-n", controlPlane, "health", "--wait-timeout", "1m"]);
  step(["-n", controlPlane, "get", "members"]);
  step(["-n", controlPlane, "etcd", "members"]);
  step(["cluster", "show", "--name", name, "--state", state]);
  ok = true;
} finally {
  if (keep && ok) {
    process.stdout.write(
      `\nthe cluster keeps running; try:\n  export TALOSCONFIG=${env.TALOSCONFIG}\n  ./bin/talosctl -n ${controlPlane} services\n  ./bin/talosctl cluster destroy --name ${name} --state ${path.relative(root, state)}\n`,
    );
  } else {
    process.stdout.write("\n");
    destroy();
    if (ok) process.stdout.write("\ndone (run with --keep to leave the cluster up)\n");
  }
}
