// Bundles each program into one CommonJS file under dist/. Command modules stay lazy inside
// the bundle (esbuild turns their dynamic imports into deferred initialisers).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

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

const programs = [
  { name: "talosctl", entry: "src/cli/entry.ts" },
  { name: "talos-node", entry: "src/node/entry.ts" },
  // The node's config worker thread (src/node/machine/config-worker.ts starts it).
  { name: "talos-node-config-worker", entry: "src/node/config-worker-entry.ts" },
].filter((p) => fs.existsSync(path.join(root, p.entry)));

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
// a build runs (tests build too) never reads half a bundle.
function writeAtomically(file, contents) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, contents);
  fs.renameSync(tmp, file);
}

const results = await Promise.all(
  programs.map((p) =>
    build({
      write: false,
      absWorkingDir: root,
      entryPoints: [p.entry],
      outfile: `dist/${p.name}.cjs`,
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20.19",
      minifyWhitespace: true,
      minifySyntax: true,
      sourcemap: "linked",
      legalComments: "none",
      plugins: [missingCommands],
      logLevel: "warning",
      define: {
        __TALOS_TOOLKIT_SHA__: JSON.stringify(gitSha()),
        "import.meta.url": "__bundle_import_meta_url",
      },
      banner: { js: 'var __bundle_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    }),
  ),
);
for (const result of results) {
  for (const out of result.outputFiles) writeAtomically(out.path, out.contents);
}
