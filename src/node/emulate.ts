// Many emulated nodes in one process (`talos-node --emulate N --cidr C`): each node is a full
// node of its own (address, port, certificates, STATE directory, machine, event ring), while
// the process, its event loop and its modules are shared, so a node costs little memory.
// Large emulations are spread over several processes (one per CPU core by default): the first
// starts the others, each serving a contiguous share of the addresses, and stops them when it
// stops; a process whose first process has gone stops its nodes too.
import { type ChildProcess, spawn } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { errorMessage } from "../errors.js";
import { setDurableWrites } from "../fsutil/index.js";
import { EMULATION_SHARD_THRESHOLD, emulationProcesses } from "../wire/index.js";
import { startNode, type TalosNode } from "./node.js";
import type { EmulateSpec, NodeOptions } from "./options.js";

/** Nodes started at once: certificate issuance and binding are cheap, but not free. */
const START_CONCURRENCY = 16;

export interface Emulation {
  /** The nodes this process serves, in address order. */
  readonly nodes: readonly TalosNode[];
  /** Stops every node (each gracefully, all at once), the other processes' too. */
  stop(): Promise<void>;
  /** Settles when every other process serving the emulation has exited. */
  readonly others: Promise<void>;
}

/** How many processes serve the emulation: as `--processes` says, else one per core for a large one. */
export function processCount(spec: EmulateSpec, cores = os.availableParallelism()): number {
  if (spec.shard) return spec.shard.count;
  if (spec.processes !== undefined) return spec.processes;
  return emulationProcesses(spec.count, cores);
}

/** The addresses process `index` of `count` serves: a contiguous share, the first process first. */
export function shardAddresses(addresses: readonly string[], index: number, count: number): string[] {
  const from = Math.floor((index * addresses.length) / count);
  const to = Math.floor(((index + 1) * addresses.length) / count);
  return addresses.slice(from, to);
}

/**
 * The options of the emulated node at `address`: its own STATE directory under the shared one,
 * and its hostname from `--hostnames` when given.
 */
export function emulatedNodeOptions(options: NodeOptions, address: string): NodeOptions {
  const { emulate, ...rest } = options;
  const hostname = emulate?.hostnames?.[emulate.addresses.indexOf(address)];
  return {
    ...rest,
    host: address,
    stateDir: path.join(options.stateDir, address),
    ...(hostname !== undefined ? { hostname } : {}),
  };
}

/**
 * Starts every node of `options.emulate`. Each node's log lines are prefixed with its address.
 * If one cannot start, the ones already running are stopped and its error is thrown.
 */
export async function startEmulation(
  options: NodeOptions,
  out: (text: string) => void,
  err: (text: string) => void,
  argv: readonly string[] = [],
): Promise<Emulation> {
  const spec = options.emulate;
  const count = spec ? processCount(spec) : 1;
  // A large emulation's STATE writes stay atomic but are not synced (see setDurableWrites).
  if (spec && spec.count > EMULATION_SHARD_THRESHOLD) setDurableWrites(false);
  if (!spec || count === 1) return startShard(options, spec?.addresses ?? [options.host], out, err);
  if (spec.shard) {
    const own = await startShard(options, shardAddresses(spec.addresses, spec.shard.index, count), out, err);
    followFirstProcess(own);
    return own;
  }
  const others = Array.from({ length: count - 1 }, (_, i) => startOtherProcess(argv, i + 1, count));
  const exited = Promise.all(others.map((o) => o.exited)).then(() => undefined);
  const stopOthers = async (): Promise<void> => {
    for (const o of others) o.stop();
    await exited;
  };
  let own: Emulation;
  try {
    const started = Promise.all(others.map((o) => o.ready));
    own = await startShard(options, shardAddresses(spec.addresses, 0, count), out, err);
    try {
      await started;
    } catch (e) {
      await own.stop();
      throw e;
    }
  } catch (e) {
    await stopOthers();
    throw e;
  }
  for (const o of others) {
    void o.exited.then((code) => {
      if (o.stopping || code === 0) return;
      err(`talos-node: the process serving ${o.range} exited (${code}); its nodes are down\n`);
    });
  }
  return {
    nodes: own.nodes,
    others: exited,
    stop: async () => {
      await Promise.all([own.stop(), stopOthers()]);
    },
  };
}

interface OtherProcess {
  /** Settles once the process serves its nodes; rejects when it exits first. */
  readonly ready: Promise<void>;
  /** Resolves with the exit code (or signal) when it exits. */
  readonly exited: Promise<number | string>;
  /** Which nodes it serves, for messages. */
  readonly range: string;
  stopping: boolean;
  stop(): void;
}

/** Starts the process serving shard `index`: this program with the same flags and the shard. */
function startOtherProcess(argv: readonly string[], index: number, count: number): OtherProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] ?? "", ...argv, "--emulate-shard", `${index}/${count}`],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
  const range = `shard ${index}/${count} (pid ${child.pid ?? "?"})`;
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
    child.once("error", (e) => resolve(errorMessage(e)));
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on("message", (m) => {
      if ((m as { ready?: boolean }).ready === true) resolve();
    });
    void exited.then((code) =>
      reject(
        new Error(`the process serving shard ${index} of ${count} exited before its nodes were up (${code})`),
      ),
    );
  });
  // Settled either way; the caller reads it.
  ready.catch(() => undefined);
  const other: OtherProcess = {
    ready,
    exited,
    range,
    stopping: false,
    stop: () => {
      other.stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    },
  };
  return other;
}

/** In a process started by the first one: tells it the nodes are up, and stops when it goes. */
function followFirstProcess(own: Emulation): void {
  if (typeof process.send !== "function") return;
  process.send({ ready: true });
  process.once("disconnect", () => {
    // The first process went without stopping this one (it was killed): the nodes go with it.
    // A stop it asks for arrives as SIGTERM instead, before it exits.
    void own.stop().finally(() => process.exit(0));
  });
}

async function startShard(
  options: NodeOptions,
  addresses: readonly string[],
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<Emulation> {
  const nodes: (TalosNode | undefined)[] = new Array(addresses.length).fill(undefined);
  let next = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < addresses.length) {
      const index = next++;
      const address = addresses[index]!;
      const prefix = `[${address}] `;
      const nodeErr = (text: string): void => {
        err(
          text
            .split("\n")
            .map((line) => (line === "" ? line : prefix + line))
            .join("\n"),
        );
      };
      try {
        nodes[index] = await startNode(emulatedNodeOptions(options, address), out, nodeErr);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, addresses.length) }, worker));
  const started = nodes.filter((n): n is TalosNode => n !== undefined);
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((n) => n.stop()));
  };
  if (failure !== undefined) {
    await stop();
    throw failure;
  }
  return { nodes: started, stop, others: Promise.resolve() };
}
