// Bundles the two programs under dist/.
//
// talosctl is split so that a run parses and evaluates only the code its command needs:
// esbuild bundles it as ES modules with code splitting (every lazily imported command, and
// every module imported lazily inside one, starts a chunk; code shared by several chunks goes
// into chunks of its own), then each chunk is rewritten to CommonJS, whose `require` and
// `import()` of a sibling chunk bin/launch.js serves from V8's code cache. The entry is
// dist/talosctl.cjs; its chunks are dist/talosctl/<name>-<content hash>.cjs, and
// dist/talosctl.modules.json lists the source modules of each chunk (the launcher's trace of
// what a run evaluated names them). Generated wire descriptors are built lazily in the talosctl
// bundle (see scripts/lazy-descriptors.mjs): a command builds only the messages its calls need.
//
// talos-node stays one CommonJS file: it serves every service, so it needs all of its code.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build, transform } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");

function gitSha() {
  try {
    return execFileSync("git", ["rev-parse", "--short=8", "HEAD"], {
      cwd: root,
      stdio: ["ignore", "pipe", "ignore"],
    })
      .toString()
      .trim();
  } catch {
    return "";
  }
}

// While a command is being written its module may not exist yet; the bundle then carries a
// module that says so. The type-check (CI) fails on any missing module, so none can ship.
const missingCommands = {
  name: "missing-commands",
  setup(b) {
    b.onResolve({ filter: /^\.\/commands\/.*\.js$/ }, (args) => {
      const file = path.join(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
      if (fs.existsSync(file)) return undefined;
      console.warn(`build: warning: ${path.relative(root, file)} does not exist`);
      return { path: args.path, namespace: "missing-command" };
    });
    b.onLoad({ filter: /.*/, namespace: "missing-command" }, (args) => ({
      loader: "js",
      contents: `export const command = { handler: async () => { throw new Error(${JSON.stringify(
        `${args.path} is missing from this build`,
      )}); } };`,
    }));
  },
};

// Outputs are written beside their targets and renamed over them, so a program started while
// a build runs (tests build too) never reads half a file.
function writeAtomically(file, contents) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

function readOrEmpty(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20.19",
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: "none",
  logLevel: "warning",
  define: {
    __TALOS_TOOLKIT_SHA__: JSON.stringify(gitSha()),
    "import.meta.url": "__bundle_import_meta_url",
  },
  banner: { js: 'var __bundle_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
};

/** A one-file CommonJS program: talos-node, and the worker thread it checks configs in. */
async function buildSingle(entry, name) {
  if (!fs.existsSync(path.join(root, entry))) return;
  const result = await build({
    ...common,
    write: false,
    entryPoints: [entry],
    outfile: `dist/${name}.cjs`,
    format: "cjs",
    sourcemap: "linked",
  });
  for (const out of result.outputFiles) writeAtomically(out.path, out.contents);
}

async function buildNode() {
  await Promise.all([
    buildSingle("src/node/entry.ts", "talos-node"),
    // The node's config worker thread (src/node/machine/config-worker.ts starts it).
    buildSingle("src/node/config-worker-entry.ts", "talos-node-config-worker"),
  ]);
}

async function buildCli() {
  const { lazyDescriptors } = await import("./lazy-descriptors.mjs");
  const { directImports } = await import("./direct-imports.mjs");
  const chunkDir = path.join(dist, "talosctl");
  const result = await build({
    ...common,
    write: false,
    metafile: true,
    entryPoints: [{ in: "src/cli/entry.ts", out: "talosctl" }],
    outdir: "dist",
    format: "esm",
    splitting: true,
    chunkNames: "talosctl/[name]-[hash]",
    outExtension: { ".js": ".cjs" },
    sourcemap: "inline",
    plugins: [missingCommands, lazyDescriptors(), directImports(root)],
  });
  // Each ES chunk becomes CommonJS: its static imports turn into require() of the sibling
  // chunks (evaluated in the same order) and its dynamic imports into a deferred require().
  const outputs = [];
  for (const out of result.outputFiles) {
    if (!out.path.endsWith(".cjs")) continue;
    const rel = path.relative(dist, out.path);
    const converted = await transform(out.text, {
      format: "cjs",
      loader: "js",
      target: "node20.19",
      minifyWhitespace: true,
      sourcemap: "external",
      sourcefile: path.basename(out.path),
      legalComments: "none",
      supported: { "dynamic-import": false },
    });
    // Modules tree-shaking left nothing of are listed by esbuild too; they are not in the chunk.
    const inputs = Object.entries(result.metafile.outputs[path.relative(root, out.path)]?.inputs ?? {})
      .filter(([, v]) => v.bytesInOutput > 0)
      .map(([k]) => k);
    outputs.push({ file: out.path, rel, code: converted.code, map: converted.map, inputs });
  }
  const entry = outputs.find((o) => o.rel === "talosctl.cjs");
  if (!entry) throw new Error("build: the talosctl entry is missing from the output");
  const chunks = outputs.filter((o) => o !== entry);
  // Chunks first (named by their content, so an unchanged one is left as it is, and with its
  // code cache), then the module list, then the entry: a talosctl started meanwhile runs the
  // old build whole.
  for (const o of chunks) {
    const code = `${o.code}//# sourceMappingURL=${path.basename(o.file)}.map\n`;
    if (readOrEmpty(o.file) === code) continue;
    writeAtomically(`${o.file}.map`, o.map);
    writeAtomically(o.file, code);
  }
  const modulesFile = path.join(dist, "talosctl.modules.json");
  let previous = [];
  try {
    previous = Object.keys(JSON.parse(fs.readFileSync(modulesFile, "utf8")).chunks);
  } catch {
    // first build
  }
  const chunkList = Object.fromEntries(outputs.map((o) => [o.rel, o.inputs]));
  writeAtomically(modulesFile, `${JSON.stringify({ chunks: chunkList }, null, 1)}\n`);
  writeAtomically(`${entry.file}.map`, entry.map);
  writeAtomically(entry.file, `${entry.code}//# sourceMappingURL=${path.basename(entry.file)}.map\n`);
  // The chunks of this build and of the one before stay (a run started before this build may
  // still load a chunk of its command); older ones go.
  const keep = new Set([...Object.keys(chunkList), ...previous].map((rel) => path.join(dist, rel)));
  for (const name of fs.readdirSync(chunkDir)) {
    const file = path.join(chunkDir, name);
    const base = file.endsWith(".map") ? file.slice(0, -4) : file;
    if (!keep.has(base) && !name.includes(".tmp")) fs.rmSync(file, { force: true });
  }
}

await Promise.all([buildCli(), buildNode()]);
