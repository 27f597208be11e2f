// An esbuild plugin for talosctl's bundle: the generated modules (src/gen/**/*_pb.ts) take
// fileDesc, messageDesc, enumDesc and serviceDesc from src/wire/lazy-descriptors.ts instead of
// protobuf-es's codegenv2, so that loading them builds no descriptor; a descriptor is built,
// cut down to what it needs, when the program first uses it. The generated files themselves
// stay as protoc-gen-es wrote them (the node and the tests use them as they are).
import fs from "node:fs";
import path from "node:path";

const RUNTIME = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  "..",
  "src",
  "wire",
  "lazy-descriptors.ts",
);
const VALUE_IMPORT = /^import \{([^}]*)\} from "@bufbuild\/protobuf\/codegenv2";$/m;

export function lazyDescriptors() {
  return {
    name: "lazy-descriptors",
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]gen[\\/].*_pb\.ts$/ }, (args) => {
        const source = fs.readFileSync(args.path, "utf8");
        if (!VALUE_IMPORT.test(source)) {
          throw new Error(`${args.path}: no import of protobuf-es's codegenv2 functions to redirect`);
        }
        return {
          contents: source.replace(
            VALUE_IMPORT,
            (_, names) => `import {${names}} from ${JSON.stringify(RUNTIME)};`,
          ),
          loader: "ts",
          resolveDir: path.dirname(args.path),
        };
      });
    },
  };
}
