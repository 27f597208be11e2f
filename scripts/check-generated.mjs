// Fails when src/gen is stale: regenerates from proto/ into a temporary directory (buf with the
// local protoc-gen-es plugin; no network needed) and compares every file byte for byte.
//
// Usage: node scripts/check-generated.mjs   (npm run check:generated)

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const GEN = "src/gen";

function listFiles(d) {
  if (!existsSync(d)) return [];
  return readdirSync(d, { withFileTypes: true }).flatMap((entry) => {
    const path = join(d, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit" });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status ?? result.signal}`);
  }
}

const tmp = mkdtempSync(join(tmpdir(), "check-generated-"));
let problems;
try {
  const buf = join(root, "node_modules", ".bin", "buf");
  run(buf, ["generate", "--output", tmp]);
  run(process.execPath, [join(root, "scripts", "mark-generated.mjs"), join(tmp, GEN)]);

  const fresh = new Set(listFiles(join(tmp, GEN)).map((f) => relative(join(tmp, GEN), f)));
  const committed = new Set(listFiles(join(root, GEN)).map((f) => relative(join(root, GEN), f)));
  problems = [];
  for (const name of [...new Set([...fresh, ...committed])].sort()) {
    const shown = join(GEN, name);
    if (!committed.has(name)) problems.push(`missing: ${shown}`);
    else if (!fresh.has(name)) problems.push(`not generated from proto/: ${shown}`);
    else if (!readFileSync(join(tmp, GEN, name)).equals(readFileSync(join(root, GEN, name)))) {
      problems.push(`stale: ${shown}`);
    }
  }
  if (fresh.size === 0) problems.push("buf generate produced no files");
} catch (err) {
  console.error(`check-generated: ${err instanceof Error ? err.message : err}`);
  process.exitCode = 1;
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

if (problems !== undefined) {
  if (problems.length > 0) {
    console.error(
      `check-generated: ${GEN} differs from proto/ (run npm run generate):\n  ${problems.join("\n  ")}`,
    );
    process.exitCode = 1;
  } else {
    console.log(`check-generated: ${GEN} is up to date`);
  }
}
