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
].filter((p) => fs.existsSync(path.join(root, p.entry)));

fs.rmSync(path.join(root, "dist"), { recursive: true, force: true });

await Promise.all(
  programs.map((p) =>
    build({
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
      // string-width builds large Unicode tables when loaded; the CLI's text is plain.
      alias: { "string-width": "./src/cli/shims/string-width.ts" },
      logLevel: "warning",
      define: {
        __TALOS_TOOLKIT_SHA__: JSON.stringify(gitSha()),
        "import.meta.url": "__bundle_import_meta_url",
      },
      banner: { js: 'var __bundle_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    }),
  ),
);
