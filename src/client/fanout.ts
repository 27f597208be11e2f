// One call per node: in parallel with a bound, results handed over as they arrive, failures
// collected per node so that one broken node never hides the others' output.
import { JoinedError } from "../errors.js";
import { NodeError, RpcError, toRpcError } from "./errors.js";

/** Calls in flight at once; talosctl starts them all, a bound keeps huge node lists sane. */
export const DEFAULT_FANOUT_CONCURRENCY = 32;

export type NodeResult<T> =
  | { readonly node: string; readonly ok: true; readonly value: T }
  | { readonly node: string; readonly ok: false; readonly error: Error };

export interface FanOutOptions<T> {
  /** Calls in flight at once; 1 runs the nodes one after another in the given order. */
  readonly concurrency?: number;
  /** Called with each result as it arrives (completion order), before the next is reported. */
  readonly onResult?: (result: NodeResult<T>) => void | Promise<void>;
  /** Stops starting new calls once aborted; running ones fail through their own signal. */
  readonly signal?: AbortSignal;
}

/**
 * Runs `call` for every node. Errors thrown by a call become that node's result (gRPC failures
 * as RpcError with Go's wording); the returned list is in completion order.
 */
export async function fanOut<T>(
  nodes: readonly string[],
  call: (node: string) => Promise<T>,
  options: FanOutOptions<T> = {},
): Promise<NodeResult<T>[]> {
  const limit = Math.max(1, options.concurrency ?? DEFAULT_FANOUT_CONCURRENCY);
  const results: NodeResult<T>[] = [];
  let next = 0;
  // Reports are serialised so that one node's output is written whole before the next's.
  let reporting: Promise<void> = Promise.resolve();

  const report = (result: NodeResult<T>): Promise<void> => {
    results.push(result);
    reporting = reporting.then(() => options.onResult?.(result));
    return reporting;
  };

  async function worker(): Promise<void> {
    while (next < nodes.length) {
      const node = nodes[next++]!;
      if (options.signal?.aborted) {
        await report({ node, ok: false, error: toRpcError(options.signal.reason, true) });
        continue;
      }
      let result: NodeResult<T>;
      try {
        result = { node, ok: true, value: await call(node) };
      } catch (err) {
        result = { node, ok: false, error: asNodeFailure(err, options.signal?.aborted ?? false) };
      }
      await report(result);
    }
  }

  await Promise.all(Array.from({ length: Math.min(limit, nodes.length) }, () => worker()));
  await reporting;
  return results;
}

/** Keeps local errors (bad input, NodeError) as they are; anything else is a call failure. */
function asNodeFailure(err: unknown, aborted: boolean): Error {
  if (err instanceof NodeError || err instanceof RpcError) return err;
  if (err instanceof Error && err.name === "UserError") return err;
  return toRpcError(err, aborted);
}

/** talosctl's usual wording of one node's failure. */
export function errorFromNode(node: string, error: Error): string {
  return `error from node ${node}: ${error.message}`;
}

/**
 * Throws one error listing every failed node (one line each), so the command exits non-zero
 * after printing what the other nodes returned. NodeErrors carry their own full wording.
 */
export function throwIfAnyFailed(
  results: readonly NodeResult<unknown>[],
  format: (node: string, error: Error) => string = errorFromNode,
): void {
  const failures = results.filter((r): r is Extract<NodeResult<unknown>, { ok: false }> => !r.ok);
  if (failures.length === 0) return;
  throw new JoinedError(
    failures.map((f) => {
      if (f.error instanceof NodeError) return f.error;
      return new NodeError(f.node, format(f.node, f.error), { cause: f.error });
    }),
  );
}
