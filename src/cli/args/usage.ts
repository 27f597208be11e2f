// A command's help in cobra's layout (description, Usage, Aliases, Examples, Flags, Global
// Flags), with flag lines as pflag formats them: `  -o, --output string   usage (default "x")`.
import { formatGoDuration, parseGoDuration } from "../../wire/index.js";
import { writeCsvLine } from "./go-values.js";
import type { FlagSet, FlagSpec } from "./spec.js";

export interface HelpInput {
  /** `talosctl config endpoint` */
  readonly commandPath: string;
  /** Positional syntax: `<endpoint>...` */
  readonly use?: string;
  readonly describe: string;
  readonly long?: string;
  readonly aliases?: readonly string[];
  readonly name: string;
  readonly examples?: readonly (readonly [string, string])[];
  readonly flags: FlagSet;
}

/** What `--help` prints: the description, then the usage. */
export function renderCommandHelp(input: HelpInput): string {
  return `${(input.long ?? input.describe).trimEnd()}\n\n${renderUsage(input)}`;
}

/** Cobra's usage text (printed alone after a flag or argument mistake). */
export function renderUsage(input: HelpInput): string {
  const local: [string, FlagSpec][] = [];
  const global: [string, FlagSpec][] = [];
  for (const [name, spec] of Object.entries(input.flags)) {
    if (spec.hidden === true || spec.deprecated !== undefined) continue;
    (spec.global === true ? global : local).push([name, spec]);
  }
  const hasShortH = Object.values(input.flags).some((s) => s.short === "h");
  local.push([
    "help",
    { kind: "bool", describe: `help for ${input.name}`, ...(hasShortH ? {} : { short: "h" }) },
  ]);
  let out = "Usage:\n";
  out += `  ${input.commandPath}${input.use ? ` ${input.use}` : ""} [flags]\n`;
  if (input.aliases !== undefined && input.aliases.length > 0) {
    out += `\nAliases:\n  ${[input.name, ...input.aliases].join(", ")}\n`;
  }
  if (input.examples !== undefined && input.examples.length > 0) {
    out += "\nExamples:\n";
    out += input.examples
      .map(([cmd, what]) => `  # ${what}\n  ${cmd.replaceAll("$0", input.commandPath)}`)
      .join("\n\n");
    out += "\n";
  }
  out += `\nFlags:\n${flagUsages(local)}`;
  if (global.length > 0) out += `\nGlobal Flags:\n${flagUsages(global)}`;
  return out;
}

/** pflag's FlagUsages: sorted by name, the usage column aligned after the longest flag. */
export function flagUsages(flags: readonly (readonly [string, FlagSpec])[]): string {
  const sorted = [...flags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines: [string, string][] = [];
  let width = 0;
  for (const [name, spec] of sorted) {
    let head = spec.short !== undefined ? `  -${spec.short}, --${name}` : `      --${name}`;
    const type = typeName(spec);
    if (type !== "") head += ` ${type}`;
    const noOpt = spec.noOptDefault;
    if (noOpt !== undefined) {
      if (spec.kind === "string") head += `[="${noOpt}"]`;
      else if (!(spec.kind === "bool" && noOpt === "true")) head += `[=${noOpt}]`;
    }
    width = Math.max(width, head.length + 1);
    let usage = spec.describe;
    const shown = defaultText(spec);
    if (shown !== undefined)
      usage += spec.kind === "string" ? ` (default ${JSON.stringify(shown)})` : ` (default ${shown})`;
    lines.push([head, usage]);
  }
  return lines.map(([head, usage]) => `${head}${" ".repeat(width - head.length)}  ${usage}\n`).join("");
}

function typeName(spec: FlagSpec): string {
  switch (spec.kind) {
    case "bool":
      return "";
    case "float64":
      return "float";
    case "stringSlice":
      return "strings";
    case "intSlice":
      return "ints";
    default:
      return spec.kind;
  }
}

/** The default as pflag prints it, or undefined when it is the zero value (then not shown). */
function defaultText(spec: FlagSpec): string | undefined {
  const d = spec.default;
  if (d === undefined) return undefined;
  switch (spec.kind) {
    case "string":
      return d === "" ? undefined : (d as string);
    case "bool":
      return d === true ? "true" : undefined;
    case "int":
    case "int32":
    case "uint32":
    case "float64":
      return d === 0 ? undefined : String(d);
    case "duration": {
      const nanos = parseGoDuration(d as string);
      return nanos === 0n ? undefined : formatGoDuration(nanos);
    }
    case "stringSlice":
    case "stringArray":
    case "intSlice": {
      const list = d as readonly (string | number)[];
      return list.length === 0 ? undefined : `[${writeCsvLine(list.map(String))}]`;
    }
    case "stringToString": {
      const entries = Object.entries(d as Record<string, string>);
      return entries.length === 0 ? undefined : `[${entries.map(([k, v]) => `${k}=${v}`).join(",")}]`;
    }
  }
}
