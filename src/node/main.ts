// Process entry of talos-node: parses the flags, starts the node, prints the ready line, and
// stops gracefully on SIGTERM/SIGINT (a second signal exits at once).
import * as grpc from "@grpc/grpc-js";
import { errorMessage, UserError } from "../errors.js";
import { startEmulation } from "./emulate.js";
import { runBurst } from "./machine/test-burst.js";
import type { TalosNode } from "./node.js";
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
  let running: {
    readonly nodes: readonly TalosNode[];
    stop(): Promise<void>;
    readonly others?: Promise<void>;
  };
  // Signals are caught from the start: one that arrives while nodes still start (after some
  // have printed their ready line) stops them once they are up.
  let stopRequested: NodeJS.Signals | undefined;
  let onSignal = (signal: NodeJS.Signals): void => {
    if (stopRequested !== undefined) process.exit(130);
    stopRequested = signal;
  };
  const dispatch = (signal: NodeJS.Signals): void => onSignal(signal);
  process.on("SIGTERM", dispatch);
  process.on("SIGINT", dispatch);
  try {
    const parsed = parseNodeArgs(argv);
    if (parsed.help) {
      out(USAGE);
      return;
    }
    if (parsed.options.emulate) {
      running = await startEmulation(parsed.options, out, err, argv);
    } else {
      const node = await startNode(parsed.options, out, err);
      running = { nodes: [node], stop: () => node.stop() };
    }
    const bursts = parsed.options.testBursts ?? [];
    if (bursts.length > 0) {
      process.on("SIGUSR2", () => {
        for (const node of running.nodes) for (const spec of bursts) void runBurst(node.machine, spec);
      });
    }
  } catch (e) {
    if (e instanceof UserError) {
      err(`talos-node: ${e.message}\n`);
      process.exitCode = 1;
      return;
    }
    err(`talos-node: ${errorMessage(e)}\n`);
    process.exitCode = 1;
    return;
  }

  await new Promise<void>((resolve) => {
    // Shutdown (or a reset without reboot) powers a machine off; once every one is off the
    // process ends with 0.
    void Promise.all([...running.nodes.map((n) => n.poweredOff), running.others]).then(() => resolve());
    let signals = 0;
    onSignal = (signal: NodeJS.Signals): void => {
      signals++;
      if (signals > 1) process.exit(130);
      err(`talos-node: ${signal} received, stopping\n`);
      running.stop().then(resolve, (e: unknown) => {
        err(`talos-node: ${errorMessage(e)}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    if (stopRequested !== undefined) onSignal(stopRequested);
  });
  // grpc-js may keep timers alive after shutdown.
  process.exit(process.exitCode ?? 0);
}
