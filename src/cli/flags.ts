// Flags shared by many commands: the connection flags of every node-facing command (talosctl's
// persistent flags, shown under "Global Flags:"), the insecure (maintenance) pair, and
// -o/--output.
import type { ConnectionFlags } from "../client/index.js";
import { type FlagSet, type FlagValues, flag, type Invocation } from "./args/spec.js";
import type { CliContext } from "./context.js";

/** Global flags that take a value; the command resolver must know them to find the command. */
export const VALUE_FLAGS: ReadonlySet<string> = new Set([
  "--talosconfig",
  "--context",
  "-n",
  "--nodes",
  "-e",
  "--endpoints",
  "-c",
  "--cluster",
  "--siderov1-keys-dir",
  "--cert-fingerprint",
]);

/** A string flag's value in a completer's partial parse ("" when absent). */
function typed(input: Invocation<FlagSet>, name: string): string {
  const v = (input.flags as Readonly<Record<string, unknown>>)[name];
  return typeof v === "string" ? v : "";
}

async function contextCandidates(ctx: CliContext, input: Invocation<FlagSet>): Promise<string[]> {
  const { contextNames } = await import("../clientconfig/index.js");
  const talosconfig = typed(input, "talosconfig");
  return contextNames({
    ...(talosconfig !== "" ? { path: talosconfig } : {}),
    env: ctx.env,
    homedir: ctx.homedir,
    cwd: ctx.cwd,
  });
}

async function nodeCandidates(ctx: CliContext, input: Invocation<FlagSet>): Promise<string[]> {
  const { contextNodes } = await import("../clientconfig/index.js");
  const talosconfig = typed(input, "talosconfig");
  const context = typed(input, "context");
  return contextNodes({
    ...(talosconfig !== "" ? { path: talosconfig } : {}),
    ...(context !== "" ? { context } : {}),
    env: ctx.env,
    homedir: ctx.homedir,
    cwd: ctx.cwd,
  });
}

export const connectionFlags = {
  talosconfig: flag.string({
    global: true,
    describe: "the path to the Talos configuration file (default: $TALOSCONFIG, then ~/.talos/config)",
  }),
  context: flag.string({
    global: true,
    describe: "context to be used in command",
    complete: contextCandidates,
  }),
  nodes: flag.stringSlice({
    short: "n",
    global: true,
    describe: "target the specified nodes",
    complete: nodeCandidates,
  }),
  endpoints: flag.stringSlice({
    short: "e",
    global: true,
    describe: "override default endpoints in Talos configuration",
  }),
  cluster: flag.string({
    short: "c",
    global: true,
    describe: "cluster to connect to if a proxy endpoint is used",
  }),
  "siderov1-keys-dir": flag.string({
    global: true,
    describe: "the path to the SideroV1 auth PGP keys directory",
  }),
} as const;

export const insecureFlags = {
  insecure: flag.bool({ short: "i", describe: "use Talos maintenance mode API" }),
  "cert-fingerprint": flag.stringSlice({
    describe: "list of server certificate fingerprints to accept (defaults to no check)",
  }),
} as const;

/** A `validate` for a string flag with a fixed set of values, in pflag's words for enum flags. */
export function oneOf(choices: readonly string[]): (value: string) => string | undefined {
  return (value) => (choices.includes(value) ? undefined : `possible options are: ${choices.join(", ")}`);
}

/** -o/--output with the formats a command prints. */
export function outputFlag<const D extends string>(choices: readonly string[], defaultValue: D) {
  return {
    output: flag.string({
      short: "o",
      default: defaultValue,
      choices: choices.map((c) => (c === "jsonpath" ? "jsonpath=" : c)),
      describe: `output mode (${choices.map((c) => (c === "jsonpath" ? "jsonpath=<expr>" : c)).join(", ")})`,
    }),
  } as const;
}

export type ConnectionValues = FlagValues<typeof connectionFlags> & Partial<FlagValues<typeof insecureFlags>>;

/**
 * The connection settings of a completer's partial parse. Completers run for commands that
 * declare the connection flags, so those are among the values.
 */
export function completionConnection(input: Invocation<FlagSet>): ConnectionFlags {
  return connectionOptions(input.flags as unknown as ConnectionValues);
}

/** The client's connection settings from the parsed flags. */
export function connectionOptions(flags: ConnectionValues): ConnectionFlags {
  const clean = (list: readonly string[]): string[] => list.map((s) => s.trim()).filter((s) => s !== "");
  const one = (s: string): string | undefined => (s === "" ? undefined : s);
  return {
    talosconfig: one(flags.talosconfig),
    context: one(flags.context),
    nodes: clean(flags.nodes),
    endpoints: clean(flags.endpoints),
    cluster: one(flags.cluster),
    insecure: flags.insecure === true,
    certFingerprints: clean(flags["cert-fingerprint"] ?? []),
  };
}
