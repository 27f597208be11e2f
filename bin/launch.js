// Loads a program bundle from dist/ and keeps V8's compiled code for it in a cache, so that
// start-up does not pay for parsing the bundle again on every run.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");
const vm = require("node:vm");
const os = require("node:os");
const crypto = require("node:crypto");

function cacheDir(distDir) {
  const candidates = [
    path.join(distDir, ".cache"),
    path.join(os.tmpdir(), `talos-toolkit-cache-${process.getuid?.() ?? "u"}`),
  ];
  for (const dir of candidates) {
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.accessSync(dir, fs.constants.W_OK);
      return dir;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

// Each command compiles different functions; a cache per command (its first words) keeps every
// command's start warm instead of only the first one run after a build.
function commandKey(argv) {
  const words = [];
  for (const arg of argv) {
    if (arg.startsWith("-")) continue;
    if (!/^[a-z][a-z0-9-]{0,30}$/.test(arg)) break;
    words.push(arg);
    if (words.length === 2) break;
  }
  return words.length > 0 ? words.join("-") : "root";
}

function loadBundle(file) {
  const source = fs.readFileSync(file, "utf8");
  const stat = fs.statSync(file);
  const dir = cacheDir(path.dirname(file));
  const key = crypto
    .createHash("sha256")
    .update(`${process.version}\0${process.arch}\0${file}\0${stat.size}\0${stat.mtimeMs}`)
    .digest("hex")
    .slice(0, 16);
  const cacheFile =
    dir && path.join(dir, `${path.basename(file)}.${key}.${commandKey(process.argv.slice(2))}.v8cache`);
  let cachedData;
  if (cacheFile) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  const fn = script.runInThisContext({ displayErrors: true });
  fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    // Save after the run, when the functions this start-up needed have been compiled too.
    process.once("exit", () => {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // a cache is only an optimisation
      }
    });
  }
  return mod.exports;
}

exports.launch = function launch(name) {
  const file = path.join(__dirname, "..", "dist", `${name}.cjs`);
  if (!fs.existsSync(file)) {
    process.stderr.write(
      `${name} is not built yet: run "npm ci" (or "npm run build") in ${path.dirname(__dirname)}\n`,
    );
    process.exit(1);
  }
  const bundle = process.env.TALOS_TOOLKIT_NO_CODE_CACHE === "1" ? require(file) : loadBundle(file);
  bundle.main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`${err?.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  });
};
