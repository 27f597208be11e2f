// Builds the bundles once before the end-to-end tests spawn bin/talosctl and bin/talos-node,
// and gives the run a temp directory of its own: TMPDIR points into it for the test workers
// and every process they start, so two runs at once on one machine share no scratch space
// (not even talos-node's default discovery registry). At the end, whatever a test left
// behind there fails the run by name; new folders under a test's prefix in the system temp
// directory are reported too (they may be another checkout's run, so they only warn).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const RUN_PREFIX = "talos-test-run-";

/** Names the tests give their scratch directories (test/helpers and the unit tests). */
const TEST_PREFIXES = [
  "talos-",
  "mc-patch-",
  "patch-load-",
  "node-options-",
  "bootloader-",
  "state-dir-",
  "clientconfig-",
  "tar-test-",
  "outside-talos-",
];

function testEntries(dir: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const name of fs.readdirSync(dir)) {
    if (name.startsWith(RUN_PREFIX) || !TEST_PREFIXES.some((p) => name.startsWith(p))) continue;
    try {
      found.set(name, fs.lstatSync(path.join(dir, name)).mtimeMs);
    } catch {
      // Removed meanwhile by whoever made it.
    }
  }
  return found;
}

export default function setup(): () => void {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
  if (process.env.TALOS_TEST_SKIP_BUILD !== "1") {
    execFileSync(process.execPath, [path.join(root, "scripts", "build.mjs")], {
      cwd: root,
      stdio: "inherit",
    });
  }
  const systemTmp = os.tmpdir();
  const startedAt = Date.now();
  const before = testEntries(systemTmp);
  const runDir = fs.mkdtempSync(path.join(systemTmp, RUN_PREFIX));
  process.env.TMPDIR = runDir;

  return () => {
    process.env.TMPDIR = systemTmp;
    // Folders made outside TMPDIR (a path under /tmp written out): new since the start. Runs
    // of this suite keep theirs in their own talos-test-run-* directory, but a run from an
    // older checkout may be going on at the same time, so these only warn.
    const strays = [...testEntries(systemTmp)]
      .filter(([name, mtime]) => !before.has(name) && mtime >= startedAt - 1_000)
      .map(([name]) => name)
      .sort();
    if (strays.length > 0) {
      console.warn(
        `warning: new test-like folders in ${systemTmp} since this run started, made outside TMPDIR by this run or by another checkout's (left in place):\n${strays.map((n) => `  ${n}`).join("\n")}`,
      );
    }
    // talos-node keeps its default discovery registry there (nodes started without
    // --discovery-dir share it, as on one machine): the run's own, removed with it.
    const left = fs
      .readdirSync(runDir)
      .filter((n) => n !== "talos-node-discovery")
      .sort();
    fs.rmSync(runDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    if (left.length > 0) {
      throw new Error(
        `tests left temp folders behind in ${runDir} (removed now; the test that made each must remove it):\n${left.map((n) => `  ${n}`).join("\n")}`,
      );
    }
  };
}
