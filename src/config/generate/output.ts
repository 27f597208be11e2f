// Where `gen config` puts its results: the current directory, a directory, one file, or
// stdout, checked before anything is generated.
import path from "node:path";
import { UserError } from "../../errors.js";

export const OUTPUT_TYPES = ["controlplane", "worker", "talosconfig"] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

const FILE_NAMES: Readonly<Record<OutputType, string>> = {
  controlplane: "controlplane.yaml",
  worker: "worker.yaml",
  talosconfig: "talosconfig",
};

export interface OutputRequest {
  /** `-o`: "" (current directory), "-" (stdout), a file (one type) or a directory. */
  readonly output: string;
  /** The hidden, deprecated `--output-dir`: always a directory. */
  readonly outputDir: string;
  /** `-t` values. */
  readonly types: readonly string[];
  /** The directory relative paths are resolved against. */
  readonly cwd: string;
}

export type OutputPlan =
  | { readonly to: "stdout"; readonly type: OutputType }
  | { readonly to: "files"; readonly files: readonly { readonly type: OutputType; readonly path: string }[] };

/** Checks the output flags and decides every destination (absolute paths, in write order). */
export function planOutputs(request: OutputRequest): OutputPlan {
  const { output, outputDir, types } = request;
  if (types.length === 0) throw new UserError("at least one output type must be specified");
  if (types.length > 1 && output === "-") throw new UserError("can't use multiple output types with stdout");
  if (outputDir !== "" && output !== "") throw new UserError("can't use both output-dir and output");
  const unknown = types.filter((t) => !(OUTPUT_TYPES as readonly string[]).includes(t));
  if (unknown.length > 0) {
    throw new UserError(
      `${unknown.map((t) => `invalid output type: ${JSON.stringify(t)}`).join("; ")} (valid types: ${OUTPUT_TYPES.join(", ")})`,
    );
  }
  // Written in a fixed order whatever order the types were given in; repeats count once.
  const wanted = OUTPUT_TYPES.filter((t) => types.includes(t));
  if (output === "-") return { to: "stdout", type: wanted[0]! };
  if (output !== "" && outputDir === "" && types.length === 1) {
    return { to: "files", files: [{ type: wanted[0]!, path: path.resolve(request.cwd, output) }] };
  }
  const dir = path.resolve(request.cwd, outputDir !== "" ? outputDir : output);
  return { to: "files", files: wanted.map((type) => ({ type, path: path.join(dir, FILE_NAMES[type]) })) };
}
