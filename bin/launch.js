// Loads a program from dist/ and keeps V8's compiled code for it in a cache, so that start-up
// does not pay for parsing it again on every run. A program is a CommonJS entry file and, for
// talosctl, the chunks it requires from dist/<program>/ as its command needs them; each file
// is compiled with its own cache.
//
// TALOS_TOOLKIT_TRACE=FILE appends JSON lines to FILE: {"event":"request","at":T} when the
// program first sends an HTTP/2 request (an RPC; T in epoch milliseconds, as
// performance.timeOrigin + performance.now() counts them, so another process can compare), and
// at exit {"event":"exit","chunks":[...],"modules":[...],"builtins":[...]}: the chunks the run
// evaluated, the source modules they hold (from dist/<program>.modules.json) and the Node
// built-in modules the process loaded (its internal ones included). Tests and benchmarks read it.
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

function createLoader(distDir, useCache, onBuiltin) {
  const dir = useCache ? cacheDir(distDir) : undefined;
  const command = commandKey(process.argv.slice(2));
  const loaded = new Map();
  const pendingCaches = [];

  function compile(file) {
    const source = fs.readFileSync(file, "utf8");
    if (!dir) return { script: new vm.Script(Module.wrap(source), { filename: file }) };
    const stat = fs.statSync(file);
    const key = crypto
      .createHash("sha256")
      .update(`${process.version}\0${process.arch}\0${file}\0${stat.size}\0${stat.mtimeMs}`)
      .digest("hex")
      .slice(0, 16);
    const cacheFile = path.join(dir, `${path.basename(file)}.${key}.${command}.v8cache`);
    let cachedData;
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      cachedData = undefined;
    }
    const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
    if (cachedData === undefined || script.cachedDataRejected) pendingCaches.push({ script, cacheFile });
    return { script };
  }

  function load(file) {
    const known = loaded.get(file);
    if (known) return known.exports;
    const { script } = compile(file);
    const mod = new Module(file, module);
    mod.filename = file;
    mod.paths = Module._nodeModulePaths(path.dirname(file));
    // Registered before it runs, as require() does, so that chunks requiring each other
    // around a loop see each other's exports.
    loaded.set(file, mod);
    const outside = Module.createRequire(file);
    const requireChunk = (spec) => {
      if (spec.startsWith("./") || spec.startsWith("../"))
        return load(path.resolve(path.dirname(file), spec));
      const exported = outside(spec);
      return onBuiltin ? onBuiltin(spec, exported) : exported;
    };
    requireChunk.resolve = outside.resolve;
    requireChunk.cache = outside.cache;
    const fn = script.runInThisContext({ displayErrors: true });
    fn.call(mod.exports, mod.exports, requireChunk, mod, file, path.dirname(file));
    mod.loaded = true;
    return mod.exports;
  }

  // Caches are written after the run, when the functions it needed have been compiled too.
  process.once("exit", () => {
    for (const { script, cacheFile } of pendingCaches) {
      try {
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch {
        // a cache is only an optimisation
      }
    }
  });
  return { load, loaded };
}

function createTrace(out) {
  const write = (record) => fs.appendFileSync(out, `${JSON.stringify(record)}\n`);
  let patched = false;
  let requested = false;
  // Wraps the sessions HTTP/2 opens, so the first request on any of them is noted.
  const onBuiltin = (spec, exported) => {
    if (patched || (spec !== "http2" && spec !== "node:http2")) return exported;
    patched = true;
    const connect = exported.connect;
    exported.connect = function tracedConnect(...args) {
      const session = connect.apply(this, args);
      const request = session.request;
      session.request = function tracedRequest(...requestArgs) {
        if (!requested) {
          requested = true;
          write({ event: "request", at: performance.timeOrigin + performance.now() });
        }
        return request.apply(this, requestArgs);
      };
      return session;
    };
    return exported;
  };
  return { write, onBuiltin };
}

function traceAtExit(name, distDir, loaded, write) {
  process.once("exit", () => {
    let chunks = {};
    try {
      chunks = JSON.parse(fs.readFileSync(path.join(distDir, `${name}.modules.json`), "utf8")).chunks;
    } catch {
      // a single-file program has no module list
    }
    const evaluated = [...loaded.keys()].map((f) => path.relative(distDir, f));
    const modules = evaluated.flatMap((c) => chunks[c] ?? []);
    const builtins = (process.moduleLoadList ?? [])
      .filter((m) => m.startsWith("NativeModule "))
      .map((m) => m.slice("NativeModule ".length));
    write({ event: "exit", chunks: evaluated, modules, builtins });
  });
}

exports.launch = function launch(name) {
  const distDir = path.join(__dirname, "..", "dist");
  const file = path.join(distDir, `${name}.cjs`);
  if (!fs.existsSync(file)) {
    process.stderr.write(
      `${name} is not built yet: run "npm ci" (or "npm run build") in ${path.dirname(__dirname)}\n`,
    );
    process.exit(1);
  }
  const traceFile = process.env.TALOS_TOOLKIT_TRACE;
  const trace = traceFile ? createTrace(traceFile) : undefined;
  const loader = createLoader(distDir, process.env.TALOS_TOOLKIT_NO_CODE_CACHE !== "1", trace?.onBuiltin);
  if (trace) traceAtExit(name, distDir, loader.loaded, trace.write);
  const bundle = loader.load(file);
  bundle.main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`${err?.stack ? err.stack : String(err)}\n`);
    process.exit(1);
  });
};
