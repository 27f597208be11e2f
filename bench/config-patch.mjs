// Strategic patching at scale: a ~1 MiB multi-document config (a generated control-plane config
// plus many ExtensionServiceConfig documents) patched by 100 strategic patches in one
// `talosctl machineconfig patch` run. Time per patch = (T(101 patches) - T(1 patch)) / 100,
// measured in the same run; peak memory is the process's maximum RSS.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fmt, median, TALOSCTL } from "./lib.mjs";

function run(args, cwd) {
  const begin = process.hrtime.bigint();
  const r = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, TALOSCTL, ...args], {
    cwd,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - begin) / 1e6;
  if (r.status !== 0)
    throw new Error(`talosctl ${args.slice(0, 3).join(" ")} failed: ${r.stderr.slice(0, 500)}`);
  const maxRssKiB = Number(r.stderr.trim().split("\n").pop());
  return { ms, maxRssKiB, bytes: r.stdout.length };
}

function makeConfig(dir) {
  const gen = spawnSync(
    process.execPath,
    [
      TALOSCTL,
      "gen",
      "config",
      "bench",
      "https://10.5.0.2:6443",
      "-t",
      "controlplane",
      "-o",
      "cp.yaml",
      "--talos-version",
      "1.13",
    ],
    { cwd: dir, encoding: "utf8" },
  );
  if (gen.status !== 0) throw new Error(`gen config failed: ${gen.stderr}`);
  let text = fs.readFileSync(path.join(dir, "cp.yaml"), "utf8");
  const filler = "x".repeat(400);
  let i = 0;
  while (text.length < 1024 * 1024) {
    text += `---\napiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: svc-${i}\nconfigFiles:\n    - content: ${filler}${i}\n      mountPath: /etc/svc-${i}/config\nenvironment:\n    - SVC_INDEX=${i}\n`;
    i++;
  }
  fs.writeFileSync(path.join(dir, "big.yaml"), text);
  return { bytes: text.length, documents: i };
}

function makePatches(dir, count, services) {
  const args = [];
  for (let p = 0; p < count; p++) {
    const svc = (p * 37) % services;
    const body =
      p % 2 === 0
        ? `apiVersion: v1alpha1\nkind: ExtensionServiceConfig\nname: svc-${svc}\nenvironment:\n    - PATCHED_${p}=yes\nconfigFiles:\n    - content: patched ${p}\n      mountPath: /etc/svc-${svc}/config\n`
        : `machine:\n    certSANs:\n        - san-${p}.example.org\n    sysctls:\n        net.core.somaxconn: "${1000 + p}"\n`;
    const file = path.join(dir, `p${p}.yaml`);
    fs.writeFileSync(file, body);
    args.push("-p", `@${file}`);
  }
  return args;
}

export function benchConfigPatch(runs = Number(process.env.BENCH_RUNS ?? 5)) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-patch-"));
  const config = makeConfig(dir);
  const patches = makePatches(dir, 101, config.documents);
  const one = [];
  const many = [];
  let rss = 0;
  let oneRss = 0;
  for (let i = 0; i < runs + 1; i++) {
    const a = run(["machineconfig", "patch", "big.yaml", ...patches.slice(0, 2)], dir);
    const b = run(["machineconfig", "patch", "big.yaml", ...patches], dir);
    if (i === 0) continue;
    one.push(a.ms);
    many.push(b.ms);
    rss = Math.max(rss, b.maxRssKiB);
    oneRss = Math.max(oneRss, a.maxRssKiB);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const perPatch = (median(many) - median(one)) / 100;
  return {
    name: "config-patch",
    runs,
    configBytes: config.bytes,
    configDocuments: config.documents + 1,
    onePatchMs: median(one),
    hundredOnePatchesMs: median(many),
    perPatchMs: perPatch,
    peakRssMiB: rss / 1024,
    onePatchPeakRssMiB: oneRss / 1024,
    summary: [
      `config: ${(config.bytes / 1024).toFixed(0)} KiB, ${config.documents + 1}+ documents`,
      `1 patch:      ${fmt(median(one))} (median of ${runs}), peak RSS ${(oneRss / 1024).toFixed(0)} MiB`,
      `101 patches:  ${fmt(median(many))}, peak RSS ${(rss / 1024).toFixed(0)} MiB`,
      `per patch:    ${fmt(perPatch)}`,
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(benchConfigPatch().summary.join("\n"));
}
