// Process entry of talos-node: parses the flags, starts the node, prints the ready line, and
// stops gracefully on SIGTERM/SIGINT (a second signal exits at once).
import * as grpc from "@grpc/grpc-js";
import { UserError } from "../errors.js";
import { runBurst } from "./machine/test-burst.js";
import { startNode } from "./node.js";
import { parseNodeArgs, USAGE } from "./options.js";

export async function main(argv: readonly string[]): Promise<void> {
  // grpc-js would log failures the node reports itself (e.g. a busy port); GRPC_VERBOSITY still wins.
  if (process.env.GRPC_VERBOSITY === undefined) grpc.setLogVerbosity(grpc.logVerbosity.NONE);
  const out = (text: string): void => {
    process.stdout.write(text);
  };
  const err = (text: string): void => {
    process.stderr.write(text);
  };
  let node: Awaited<ReturnType<typeof startNode>>;
  try {
    const parsed = parseNodeArgs(argv);
    if (parsed.help) {
      out(USAGE);
      return;
    }
    node = await startNode(parsed.options, out, err);
    const bursts = parsed.options.testBursts ?? [];
    if (bursts.length > 0) {
      process.on("SIGUSR2", () => {
        const machine = node.machine;
        for (const spec of bursts) void runBurst(machine, spec);
      });
    }
  } catch (e) {
    if (e instanceof UserError) {
      err(`talos-node: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    err(`talos-node: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
    return;
  }

  await new Promise<void>((resolve) => {
    // Shutdown (or a reset without reboot) powers the machine off: the process ends with 0.
    void node.poweredOff.then(resolve);
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) process.exit(130);
      err(`talos-node: ${signal} received, stopping\n`);
      node.stop().then(resolve, (e: unknown) => {
        err(`talos-node: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  // grpc-js may keep timers alive after shutdown.
  process.exit(process.exitCode ?? 0);
}
