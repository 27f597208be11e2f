// Makes every file under the generated tree start with its "@generated" header line.
// protoc-gen-es writes that header, but below any comment that precedes `syntax` in the
// .proto file, so those header lines are moved to the top. A file with no header fails.
//
// Usage: node scripts/mark-generated.mjs [dir]   (dir defaults to src/gen)

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const dir = resolve(root, process.argv[2] ?? "src/gen");
const MARK = "@generated";

function listFiles(d) {
  return readdirSync(d, { withFileTypes: true }).flatMap((entry) => {
    const path = join(d, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

/** Returns the text with its @generated header first, or undefined when it has none. */
function markText(text) {
  const lines = text.split("\n");
  if (lines[0].includes(MARK)) return text;
  // Only the preamble is searched: the header sits before the first import or declaration.
  const found = lines.findIndex((line) => /^(import|export) /.test(line));
  const end = found === -1 ? lines.length : found;
  const isHeader = (line, i) => i < end && line.startsWith("// ") && line.includes(MARK);
  const header = lines.filter(isHeader);
  if (header.length === 0) return undefined;
  return [...header, ...lines.filter((line, i) => !isHeader(line, i))].join("\n");
}

let files;
try {
  files = listFiles(dir).sort();
} catch (err) {
  console.error(`mark-generated: cannot read ${dir}: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
if (files.length === 0) {
  console.error(`mark-generated: no files under ${dir}`);
  process.exit(1);
}

const missing = [];
let moved = 0;
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const marked = markText(text);
  if (marked === undefined) {
    missing.push(relative(root, file));
  } else if (marked !== text) {
    writeFileSync(file, marked);
    moved += 1;
  }
}

if (missing.length > 0) {
  console.error(`mark-generated: no ${MARK} header in:\n  ${missing.join("\n  ")}`);
  process.exit(1);
}
console.log(`mark-generated: ${files.length} files carry the ${MARK} header (${moved} adjusted)`);
