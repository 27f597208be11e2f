// talosctl debug [<image-tar-path|image ref>]: a debug container on one node. A local archive is
// imported into the node's containerd, anything else is pulled there; then the container runs
// attached: stdin goes in (raw, with its size, on a terminal), its output comes out, signals
// the command receives are forwarded to it, and a non-zero exit code fails the command.
import fs from "node:fs";
import path from "node:path";
import {
  containerdInstance,
  type DebugInput,
  DebugInputQueue,
  importNodeImage,
  openClient,
  pullNodeImage,
  requireOneNode,
  runDebugContainer,
  toRpcError,
} from "../../../client/index.js";
import { errorMessage, UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };

/** Go's os.Stat error text for an errno. */
function statReason(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case "EACCES":
      return "permission denied";
    case "ENOTDIR":
      return "not a directory";
    case "ELOOP":
      return "too many levels of symbolic links";
    case "ENAMETOOLONG":
      return "file name too long";
    default:
      return err.message;
  }
}

/** Whether the argument names a local archive (talosctl stats it: a missing file is a reference). */
function isLocalArchive(ref: string, cwd: string): boolean {
  try {
    fs.statSync(path.resolve(cwd, ref));
    return true;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === "ENOENT") return false;
    throw new UserError(`failed to stat image argument: stat ${ref}: ${statReason(e)}`, { cause: err });
  }
}

async function* readArchive(file: string): AsyncGenerator<Uint8Array> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 32 * 1024 })) yield chunk as Buffer;
}

export const command = defineCommand({
  use: "[<image-tar-path|image ref>]",
  args: args.range(0, 1),
  flags: {
    ...connectionFlags,
    args: flag.stringSlice({ describe: "arguments to pass to the container" }),
    namespace: flag.string({
      default: "inmem",
      choices: ["system", "inmem"],
      describe: "namespace to use: system (CRI containerd) or inmem for in-memory containerd instance",
    }),
  },
  examples: [
    [
      "$0 ./debug-tools.tar --args /bin/sh",
      "Run a debug container from a local tar archive (image will be loaded into Talos from the archive)",
    ],
    [
      "$0 docker.io/library/alpine:latest --args /bin/sh",
      "Run a debug container from an image reference (Talos will pull the image if not present)",
    ],
  ],
  async handler({ flags, args }, ctx: CliContext) {
    // The stream outlives the command's Ctrl+C: the first interrupt goes to the container.
    const streamAbort = new AbortController();
    const { client, nodes } = openClient(connectionOptions(flags), { ...ctx, signal: streamAbort.signal });
    const cancelOnAbort = (): void => streamAbort.abort(ctx.signal.reason);
    try {
      const node = requireOneNode("debug", nodes);
      const instance = containerdInstance(flags.namespace);
      const ref = args[0];
      if (ref === undefined) throw new UserError("an image tar path or reference is required");
      const nodeClient = client.forNode(node);

      // Preparing the image stops on the first interrupt, as any call does.
      ctx.signal.addEventListener("abort", cancelOnAbort, { once: true });
      let image: string;
      if (isLocalArchive(ref, ctx.cwd)) {
        try {
          image = await importNodeImage(nodeClient, instance, readArchive(path.resolve(ctx.cwd, ref)));
        } catch (err) {
          throw new UserError(`failed to import image: ${toRpcError(err, ctx.signal.aborted).message}`, {
            cause: err,
          });
        }
        ctx.stderr.write(`${node}: image imported ${image} from ${ref}\n`);
      } else {
        try {
          image = await pullNodeImage(nodeClient, instance, ref, () => undefined);
        } catch (err) {
          throw new UserError(
            `failed to pull image: error from node ${node}: ${toRpcError(err, ctx.signal.aborted).message}`,
            {
              cause: err,
            },
          );
        }
        ctx.stderr.write(`${node}: pulled image ${image}\n`);
      }
      ctx.signal.removeEventListener("abort", cancelOnAbort);
      if (ctx.signal.aborted) throw new UserError("context canceled");

      const stdin = ctx.stdin as NodeJS.ReadStream;
      const tty = stdin.isTTY === true && typeof stdin.setRawMode === "function";
      const queue = new DebugInputQueue();
      const send = (input: DebugInput): void => queue.push(input);
      const size = (): void => {
        const out = ctx.stdout as { columns?: number; rows?: number };
        if (out.columns !== undefined && out.rows !== undefined)
          send({ kind: "resize", width: out.columns, height: out.rows });
      };
      const onData = (data: Buffer): void => send({ kind: "stdin", data });
      const onEnd = (): void => queue.end();
      // The command's interrupt (SIGINT/SIGTERM) becomes a signal to the container.
      const onInterrupt = (): void => {
        const name = /SIG[A-Z]+/.exec(errorMessage(ctx.signal.reason))?.[0] ?? "SIGINT";
        send({ kind: "signal", signal: SIGNAL_NUMBERS[name] ?? 2 });
      };
      const forwarded = (["SIGHUP", "SIGQUIT"] as const).map((name) => {
        const fn = (): void => send({ kind: "signal", signal: SIGNAL_NUMBERS[name]! });
        process.on(name, fn);
        return () => process.off(name, fn);
      });
      if (tty) {
        stdin.setRawMode(true);
        process.on("SIGWINCH", size);
        size();
      }
      stdin.on("data", onData);
      stdin.on("end", onEnd);
      ctx.signal.addEventListener("abort", onInterrupt, { once: true });
      let exitCode: number;
      try {
        exitCode = await runDebugContainer(nodeClient, {
          instance,
          image,
          args: flags.args,
          tty,
          input: queue,
          onOutput: (data) => ctx.stdout.write(data),
        });
      } catch (err) {
        throw new UserError(`error: ${toRpcError(err).message}`, { cause: err });
      } finally {
        queue.end();
        ctx.signal.removeEventListener("abort", onInterrupt);
        stdin.off("data", onData);
        stdin.off("end", onEnd);
        stdin.pause();
        for (const off of forwarded) off();
        if (tty) {
          process.off("SIGWINCH", size);
          stdin.setRawMode(false);
        }
      }
      if (exitCode !== -1 && exitCode !== 0) throw new UserError(`container exited with code ${exitCode}`);
    } finally {
      ctx.signal.removeEventListener("abort", cancelOnAbort);
      client.close();
    }
  },
});
