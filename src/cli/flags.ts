// Flags shared by many commands: the connection flags of every node-facing command, the
// insecure (maintenance) pair, and -o/--output.
import type { Argv } from "yargs";

/** Global flags that take a value; the argument pre-parser must know them to find the command. */
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

export function withConnectionFlags(y: Argv): Argv {
  return y
    .option("talosconfig", {
      type: "string",
      describe: "the path to the Talos configuration file (default: $TALOSCONFIG, then ~/.talos/config)",
    })
    .option("context", { type: "string", describe: "context to be used in command" })
    .option("nodes", { alias: "n", type: "string", array: true, describe: "target the specified nodes" })
    .option("endpoints", {
      alias: "e",
      type: "string",
      array: true,
      describe: "override default endpoints in Talos configuration",
    })
    .option("cluster", {
      alias: "c",
      type: "string",
      describe: "cluster to connect to if a proxy endpoint is used",
    })
    .option("siderov1-keys-dir", {
      type: "string",
      describe: "the path to the SideroV1 auth PGP keys directory",
    });
}

export function withInsecureFlags(y: Argv): Argv {
  return y
    .option("insecure", {
      alias: "i",
      type: "boolean",
      default: false,
      describe: "use Talos maintenance mode API",
    })
    .option("cert-fingerprint", {
      type: "string",
      array: true,
      describe: "list of server certificate fingerprints to accept (defaults to no check)",
    });
}

export function withOutputFlag(y: Argv, choices: readonly string[], defaultValue: string): Argv {
  return y.option("output", {
    alias: "o",
    type: "string",
    default: defaultValue,
    describe: `output mode (${choices.map((c) => (c === "jsonpath" ? "jsonpath=<expr>" : c)).join(", ")})`,
  });
}
