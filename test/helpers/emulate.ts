// One bin/talos-node process emulating several nodes (`--emulate N --cidr C`), for end-to-end
// tests of routing and fan-out: waits for every node's ready line and seeds STATE directories.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { killAtEnd } from "./cleanup.js";
import { TALOS_NODE, tempDir } from "./cli.js";
import { seedState } from "./node.js";
import { cidrAddresses, freeLoopbackCidr } from "./random.js";

export interface EmulatedNodes {
  /** The nodes' addresses, in order (.2, .3, ...). */
  readonly addresses: readonly string[];
  readonly port: number;
  readonly stateDir: string;
  readonly child: ChildProcess;
  /** Everything the process printed so far (stdout, then stderr). */
  output(): string;
  stop(): Promise<void>;
  kill(): Promise<void>;
  exited: Promise<number | null>;
}

export interface EmulateOptions {
  count: number;
  /** Default: a random free 127.x.y.0/24, so that test files and runs going on at once do not collide. */
  cidr?: string;
  /** Default 50000 (addresses differ per test file, so the port can be shared). */
  port?: number;
  /** A machine config per node to boot configured with (undefined: maintenance). */
  seed?: (address: string, index: number) => string | undefined;
  args?: string[];
  timeoutMs?: number;
}

export { cidrAddresses } from "./random.js";

const READY = /^talos-node: listening on (\S+):(\d+) \((maintenance|configured)\)$/gm;

export async function startEmulated(options: EmulateOptions): Promise<EmulatedNodes> {
  const port = options.port ?? 50000;
  const cidr = options.cidr ?? (await freeLoopbackCidr({ count: options.count, ports: [port] }));
  const addresses = cidrAddresses(cidr, options.count);
  const stateDir = tempDir("talos-emulate-");
  addresses.forEach((address, i) => {
    const config = options.seed?.(address, i);
    if (config !== undefined) seedState(path.join(stateDir, address), config);
  });
  const child = killAtEnd(
    spawn(
      process.execPath,
      [
        TALOS_NODE,
        "--state-dir",
        stateDir,
        "--emulate",
        String(options.count),
        "--cidr",
        cidr,
        "--port",
        String(port),
        ...(options.args ?? []),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    ),
  );
  let out = "";
  let err = "";
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const seen = new Set<string>();
    const timer = setTimeout(() => {
      reject(new Error(`only ${seen.size} of ${options.count} nodes ready; output:\n${out}\n${err}`));
    }, options.timeoutMs ?? 60_000);
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      for (const m of out.matchAll(READY)) seen.add(m[1]!);
      if (seen.size >= options.count) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      err += chunk;
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`talos-node exited (${code}) before every node was ready; output:\n${out}\n${err}`));
    });
  });
  const waitExit = async (signal: NodeJS.Signals): Promise<void> => {
    // Already exited: still wait until its output was read to the end.
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    addresses,
    port,
    stateDir,
    child,
    output: () => `${out}${err}`,
    stop: () => waitExit("SIGTERM"),
    kill: () => waitExit("SIGKILL"),
    exited,
  };
}
