// Many emulated nodes in one process (`talos-node --emulate N --cidr C`): each node is a full
// node of its own (address, port, certificates, STATE directory, machine, event ring), while
// the process, its event loop and its modules are shared, so a node costs little memory.
import path from "node:path";
import { startNode, type TalosNode } from "./node.js";
import type { NodeOptions } from "./options.js";

/** Nodes started at once: certificate issuance and binding are cheap, but not free. */
const START_CONCURRENCY = 16;

export interface Emulation {
  /** The nodes, in address order. */
  readonly nodes: readonly TalosNode[];
  /** Stops every node (each gracefully, all at once). */
  stop(): Promise<void>;
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
): Promise<Emulation> {
  const addresses = options.emulate?.addresses ?? [options.host];
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
  return { nodes: started, stop };
}
