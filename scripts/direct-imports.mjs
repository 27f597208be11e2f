// An esbuild plugin for talosctl's bundle: a named import from a folder's index.ts (its public
// surface, which only re-exports) is rewritten into imports from the files that define the
// names. Code splitting assigns whole files to chunks, and an index drags every file it
// re-exports into the chunk of whoever imports any name from it; imported directly, a command
// loads the files it uses and not its neighbours (the client's TLS code does not pull the
// certificate-signing code in beside the one PEM helper it uses). Sources keep importing from
// the index; only the bundle sees the direct imports. An index that does more than re-export
// is left alone, as is any import form other than `import { names } from`.
import fs from "node:fs";
import path from "node:path";

const IMPORT = /^import\s+(type\s+)?\{([^}]*)\}\s*from\s*"(\.[^"]*\/index\.js)";/gm;
const RE_EXPORT = /^export\s+(type\s+)?\{([^}]*)\}\s*from\s*"(\.[^"]*)";/gm;

function specifiers(list) {
  return list
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      const type = s.startsWith("type ");
      const [name, alias] = s
        .replace(/^type\s+/, "")
        .split(/\s+as\s+/)
        .map((x) => x.trim());
      return { type, name, alias: alias ?? name };
    });
}

function tsFile(from, spec) {
  return path.resolve(path.dirname(from), spec).replace(/\.js$/, ".ts");
}

/** Exported name -> { file, name } of a pure index, or undefined when it does more. */
function readIndex(file, cache) {
  if (cache.has(file)) return cache.get(file);
  cache.set(file, undefined);
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const exports = new Map();
  const rest = text
    .replace(RE_EXPORT, (_, typeOnly, list, spec) => {
      const target = tsFile(file, spec);
      for (const s of specifiers(list)) {
        if (typeOnly || s.type) continue;
        // A re-export from another index goes on to the file that defines the name.
        const nested = target.endsWith(`${path.sep}index.ts`) ? readIndex(target, cache) : undefined;
        exports.set(s.alias, nested?.get(s.name) ?? { file: target, name: s.name });
      }
      return "";
    })
    .replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, "")
    .trim();
  const pure = rest === "" ? exports : undefined;
  cache.set(file, pure);
  return pure;
}

export function directImports(root) {
  const src = path.join(root, "src");
  const gen = path.join(src, "gen");
  return {
    name: "direct-imports",
    setup(build) {
      const cache = new Map();
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(src + path.sep) || args.path.startsWith(gen + path.sep)) return undefined;
        const source = fs.readFileSync(args.path, "utf8");
        let changed = false;
        const contents = source.replace(IMPORT, (statement, typeOnly, list, spec) => {
          if (typeOnly) return statement;
          const index = readIndex(tsFile(args.path, spec), cache);
          if (!index) return statement;
          const byFile = new Map();
          for (const s of specifiers(list)) {
            if (s.type) continue;
            const target = index.get(s.name);
            if (!target) return statement;
            if (!byFile.has(target.file)) byFile.set(target.file, []);
            byFile.get(target.file).push(target.name === s.alias ? s.alias : `${target.name} as ${s.alias}`);
          }
          changed = true;
          // One line, so that the line numbers of the rest of the file stay as they were.
          return [...byFile]
            .map(([file, names]) => `import { ${names.join(", ")} } from ${JSON.stringify(file)};`)
            .join(" ");
        });
        return changed ? { contents, loader: "ts", resolveDir: path.dirname(args.path) } : undefined;
      });
    },
  };
}
