// Process entry of talosctl: wires the real process into the CLI and sets the exit status.
import { createProcessContext } from "./context.js";
import { installLightHeaders } from "./light-headers.js";
import { run } from "./run.js";

export async function main(argv: readonly string[]): Promise<void> {
  // Before any code reads the global Headers: the gRPC client's calls then never load fetch.
  installLightHeaders();
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      process.stderr.write("Signal received, aborting, press Ctrl+C once again to abort immediately...\n");
      controller.abort(new Error(`${signal} received`));
    } else {
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // A closed stdout (e.g. `talosctl ... | head`) is not an error worth a stack trace.
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
  });
  const code = await run(argv, createProcessContext({ signal: controller.signal }));
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  process.exitCode = code;
}
