// Proves the repository stands on its own: copies the tracked tree into an empty temporary
// folder (dependencies linked from this checkout's node_modules), then runs there what reads
// the Talos facts under reference/: the reference and generated-code checks, and the test files
// that read reference/talos. The copy must pass the same number of those tests as this checkout,
// with none failed or skipped.
//
// Usage: node scripts/check-standalone.mjs [--here-report FILE] [--keep]
//   --here-report FILE  take this checkout's counts from a vitest JSON report of a run that
//                       included the reader files (CI passes its full run's) instead of
//                       running them here again
//   --keep              leave the temporary copy in place (its path is printed)

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const keep = args.includes("--keep");
const reportAt = args.indexOf("--here-report");
const hereReport = reportAt >= 0 ? path.resolve(args[reportAt + 1] ?? "") : undefined;

/** Test files that read reference/talos, directly or through src/config/generate/testkit.ts. */
const READERS = [
  "test/wire-contract.test.ts",
  "src/config/schema/schema.test.ts",
  "src/config/generate/generate.test.ts",
  "test/gen-config.test.ts",
  "test/resources.test.ts",
];

/** Checks that must pass in the copy: [name, script, args, text its output must contain]. */
const CHECKS = [
  ["reference check (nothing beside the copy)", "scripts/sync-reference.mjs", ["--check"], "is absent"],
  ["generated config model", "scripts/build-config-model.mjs", ["--check"], "is up to date"],
  ["generated resource catalogue", "scripts/build-resource-catalogue.mjs", ["--check"], "is up to date"],
  ["generated protobuf code", "scripts/check-generated.mjs", [], "is up to date"],
];

const problems = [];

function say(line) {
  process.stdout.write(`check-standalone: ${line}\n`);
}

/** Copies every tracked file (as it is in the working tree) from `root` to `dest`. */
function copyTracked(dest) {
  const listed = spawnSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  let count = 0;
  for (const name of listed.stdout.split("\0").filter(Boolean)) {
    const from = path.join(root, name);
    const stat = fs.lstatSync(from, { throwIfNoEntry: false });
    if (stat === undefined) continue; // deleted in the working tree, not yet committed
    const to = path.join(dest, name);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    if (stat.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
    else fs.copyFileSync(from, to);
    fs.chmodSync(to, stat.mode & 0o777);
    count++;
  }
  return count;
}

/** Per-file counts of a vitest JSON report, keyed by path relative to `cwd`. */
function countsOf(report, cwd) {
  const result = JSON.parse(fs.readFileSync(report, "utf8"));
  const files = new Map();
  for (const file of result.testResults) {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const t of file.assertionResults) {
      if (t.status === "passed") counts.passed++;
      else if (t.status === "failed") counts.failed++;
      else counts.skipped++;
    }
    files.set(path.relative(cwd, file.name), counts);
  }
  return files;
}

/** Runs the reader test files in `cwd`; the per-file counts from vitest's JSON report. */
function runReaders(cwd, label) {
  const report = path.join(os.tmpdir(), `talos-standalone-${process.pid}-${label}.json`);
  const r = spawnSync(
    process.execPath,
    [
      path.join(cwd, "node_modules", "vitest", "vitest.mjs"),
      "run",
      "--reporter=dot",
      "--reporter=json",
      `--outputFile=${report}`,
      ...READERS,
    ],
    { cwd, stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NO_COLOR: "1" } },
  );
  try {
    return { status: r.status, files: countsOf(report, cwd) };
  } catch {
    return { status: r.status ?? 1, files: new Map() };
  } finally {
    fs.rmSync(report, { force: true });
  }
}

/** Counts summed over the reader files (a full run's report holds every file). */
function total(files) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const c of READERS.map((f) => files.get(f)).filter((c) => c !== undefined)) {
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
  }
  return { passed, failed, skipped };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "talos-standalone-"));
const copy = path.join(tmp, path.basename(root));
try {
  const count = copyTracked(copy);
  fs.symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"), "dir");
  say(`copied ${count} tracked files to ${copy} (nothing beside it)`);

  for (const [name, script, args, expected] of CHECKS) {
    const r = spawnSync(process.execPath, [path.join(copy, script), ...args], {
      cwd: copy,
      encoding: "utf8",
    });
    const out = `${r.stdout}${r.stderr}`.trim();
    if (r.status !== 0 || !out.includes(expected)) {
      problems.push(`${name}: ${out.split("\n").slice(-3).join(" | ") || `exit ${r.status}`}`);
    } else {
      say(`${name}: ok`);
    }
  }

  let here;
  if (hereReport !== undefined) {
    const files = countsOf(hereReport, root);
    const failed = READERS.some((f) => (files.get(f)?.failed ?? 0) > 0);
    here = { status: failed ? 1 : 0, files };
    say(`counts here from ${hereReport}; running ${READERS.length} test files in the copy`);
  } else {
    say(`running ${READERS.length} test files here, then in the copy`);
    here = runReaders(root, "here");
  }
  const there = runReaders(copy, "copy");
  for (const file of READERS) {
    const a = here.files.get(file);
    const b = there.files.get(file);
    if (a === undefined) problems.push(`${file}: no result in this checkout`);
    else if (b === undefined) problems.push(`${file}: no result in the copy`);
    else if (b.passed !== a.passed || b.failed > 0 || b.skipped > 0) {
      problems.push(
        `${file}: ${a.passed} passed here, ${b.passed} passed in the copy (${b.failed} failed, ${b.skipped} skipped)`,
      );
    }
  }
  const t = total(there.files);
  const h = total(here.files);
  say(
    `tests reading reference/: ${h.passed} passed here; ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped in the copy`,
  );
  if (here.status !== 0) problems.push("the reader tests fail in this checkout");
  if (there.status !== 0 && !problems.some((p) => p.includes("in the copy"))) {
    problems.push(`vitest exited with ${there.status} in the copy`);
  }
} catch (err) {
  problems.push(err instanceof Error ? err.message : String(err));
} finally {
  if (keep) say(`kept ${copy}`);
  else fs.rmSync(tmp, { recursive: true, force: true });
}

for (const p of problems) process.stderr.write(`check-standalone: ${p}\n`);
if (problems.length > 0) process.exit(1);
say("the tracked tree stands on its own");
