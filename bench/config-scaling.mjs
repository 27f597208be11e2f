// How config loading and diffing grow with their input: the loader (what talos-node runs on
// every ApplyConfiguration body) on 64 KiB ... 16 MiB configs of several shapes, and the
// unified diff (the dry run's) on 1k ... 100k-line texts. Each measurement runs in a fresh
// process (the library bundled from src/ with esbuild), so its time and peak memory are its
// own, after a warm-up call on a small input. Linear growth shows as a flat time per MiB (per
// 1k lines); the figure of the smallest input is the baseline of the ratios, measured in the
// same run. Configs past the loader's budgets (a million YAML tokens, 256 levels of nesting)
// are refused early: their figures are the cost of the refusal.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { median, ROOT } from "./lib.mjs";

const fmt = (n, digits) => n.toFixed(digits);

const KIB = 1024;
const MIB = 1024 * KIB;
const SIZES = [64 * KIB, 256 * KIB, MIB, 4 * MIB, 16 * MIB];
const DIFF_LINES = [1_000, 5_000, 10_000, 25_000, 50_000, 100_000];
const RUNS = 3;

/** The child: loads or diffs the given files once and prints time and memory as JSON. */
const CHILD = `
const fs = require("node:fs");
const [kind, bundle, a, b] = process.argv.slice(2);
const lib = require(bundle);
const first = fs.readFileSync(a, "utf8");
const second = b ? fs.readFileSync(b, "utf8") : "";
// Warm-up on a small input, so that the timed call is not the one that compiles the library.
try {
  if (kind === "load") lib.loadMachineConfig("version: v1alpha1\\nmachine:\\n    type: worker\\n", {});
  else lib.unifiedDiff("a\\nb\\nc\\n".repeat(200), "a\\nc\\nd\\n".repeat(200), { fromLabel: "a", toLabel: "b" });
} catch {}
global.gc?.();
const before = process.memoryUsage().rss;
const t0 = process.hrtime.bigint();
let outcome = "ok";
try {
  if (kind === "load") lib.loadMachineConfig(first, {});
  else outcome = String(lib.unifiedDiff(first, second, { fromLabel: "a", toLabel: "b" }).length);
} catch (err) {
  outcome = String(err && err.message ? err.message : err).split("\\n")[0].slice(0, 100);
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const peakKiB = process.resourceUsage().maxRSS;
process.stdout.write(JSON.stringify({ ms, growthMiB: (peakKiB * 1024 - before) / ${MIB}, outcome }));
`;

/** Config texts of about `bytes` bytes, one per shape. */
const SHAPES = {
  // One mapping of many keys where Talos has no field: the hostile body of the report.
  "unknown keys": (bytes) => {
    let out = "version: v1alpha1\nmachine:\n    type: worker\n    bogus:\n";
    for (let i = 0; out.length < bytes; i++) out += `        k${String(i).padStart(8, "0")}: v\n`;
    return out;
  },
  // One valid mapping of many keys (machine.sysctls), decoded all the way.
  "sysctls map": (bytes) => {
    let out = "version: v1alpha1\nmachine:\n    type: worker\n    sysctls:\n";
    for (let i = 0; out.length < bytes; i++) out += `        net.k${String(i).padStart(8, "0")}: "1"\n`;
    return out;
  },
  // One long list (machine.certSANs).
  "long list": (bytes) => {
    let out = "version: v1alpha1\nmachine:\n    type: worker\n    certSANs:\n";
    for (let i = 0; out.length < bytes; i++)
      out += `        - san-${String(i).padStart(8, "0")}.example.org\n`;
    return out;
  },
  // Nesting as deep as the text allows (refused past the loader's depth limit).
  "deep nesting": (bytes) => {
    const depth = Math.floor((bytes - 40) / 2);
    return `version: v1alpha1\nmachine: ${"[".repeat(depth)}${"]".repeat(depth)}\n`;
  },
};

function runChild(dir, args) {
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", "--max-old-space-size=4096", path.join(dir, "child.cjs"), ...args],
    {
      encoding: "utf8",
      maxBuffer: 16 * MIB,
    },
  );
  if (r.status !== 0) throw new Error(`bench child failed: ${r.stderr.slice(0, 500)}`);
  return JSON.parse(r.stdout);
}

function measure(dir, args) {
  const samples = Array.from({ length: RUNS }, () => runChild(dir, args));
  return {
    ms: median(samples.map((s) => s.ms)),
    growthMiB: median(samples.map((s) => s.growthMiB)),
    outcome: samples[0].outcome,
  };
}

/** Two texts of `lines` lines: every 10th line changed, every 50th inserted. */
function diffPair(lines) {
  const a = [];
  const b = [];
  for (let i = 0; i < lines; i++) {
    const line = `    - line ${i} ${"x".repeat(i % 40)}`;
    a.push(line);
    if (i % 50 === 0) b.push(`    - inserted before ${i}`);
    b.push(i % 10 === 0 ? `${line} changed` : line);
  }
  return [`${a.join("\n")}\n`, `${b.join("\n")}\n`];
}

export async function benchConfigScaling() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-bench-config-scaling-"));
  try {
    await build({
      stdin: {
        contents: `export { loadMachineConfig } from "./src/config/load/index.js";\nexport { unifiedDiff } from "./src/config/diff/index.js";\n`,
        resolveDir: ROOT,
        loader: "ts",
      },
      bundle: true,
      platform: "node",
      format: "cjs",
      outfile: path.join(dir, "lib.cjs"),
      logLevel: "error",
    });
    fs.writeFileSync(path.join(dir, "child.cjs"), CHILD);
    const bundle = path.join(dir, "lib.cjs");
    const summary = [];
    const figures = { load: {}, diff: [] };

    summary.push("config loading (median of 3 fresh processes; time per MiB flat = linear):");
    for (const [shape, make] of Object.entries(SHAPES)) {
      const rows = [];
      for (const size of SIZES) {
        const file = path.join(dir, "config.yaml");
        fs.writeFileSync(file, make(size));
        const m = measure(dir, ["load", bundle, file]);
        rows.push({ size, ...m });
      }
      const base = rows[0].ms / (rows[0].size / MIB);
      figures.load[shape] = rows;
      summary.push(`  ${shape} (${rows.at(-1).outcome}):`);
      for (const r of rows) {
        const perMiB = r.ms / (r.size / MIB);
        summary.push(
          `    ${fmt(r.size / KIB, 0).padStart(6)} KiB: ${fmt(r.ms, 1).padStart(8)} ms, ${fmt(perMiB, 1).padStart(7)} ms/MiB (x${fmt(perMiB / base, 2)} of 64 KiB's), peak growth ${fmt(r.growthMiB, 1)} MiB`,
        );
      }
    }

    summary.push("unified diff (every 10th line changed, every 50th inserted):");
    const diffRows = [];
    for (const lines of DIFF_LINES) {
      const [a, b] = diffPair(lines);
      const fa = path.join(dir, "a.txt");
      const fb = path.join(dir, "b.txt");
      fs.writeFileSync(fa, a);
      fs.writeFileSync(fb, b);
      diffRows.push({ lines, ...measure(dir, ["diff", bundle, fa, fb]) });
    }
    figures.diff = diffRows;
    const base = diffRows[0].ms / (diffRows[0].lines / 1000);
    for (const r of diffRows) {
      const per1k = r.ms / (r.lines / 1000);
      summary.push(
        `  ${String(r.lines).padStart(7)} lines: ${fmt(r.ms, 1).padStart(8)} ms, ${fmt(per1k, 2).padStart(6)} ms/1k lines (x${fmt(per1k / base, 2)} of 1k's), peak growth ${fmt(r.growthMiB, 1)} MiB`,
      );
    }
    return { name: "config-scaling", figures, summary };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
