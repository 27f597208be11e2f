// The shape shared by commands that list things per node (mounts, processes, containers...):
// one call per node, the rows of every node that answered in one table (or one JSON object per
// item, and per failed node, with -o json), then a failure naming each node that did not answer.
import { fanOut, throwIfAnyFailed } from "../client/index.js";
import type { CliContext } from "./context.js";
import { type OutputFormat, renderTable } from "./output/index.js";

export interface NodeTableSpec<T> {
  /** Column headers, NODE first. */
  readonly headers: readonly string[];
  /** What one node reports. */
  readonly fetch: (node: string) => Promise<readonly T[]>;
  /** The table rows of one node's items, the node in the first column. */
  readonly rows: (node: string, items: readonly T[]) => string[][];
  /** One item as JSON; the `node` field is added in front. */
  readonly json: (item: T) => Record<string, unknown>;
}

/** Prints what every node reports as `format` says (table or json); throws if any node failed. */
export async function printNodeTable<T>(
  ctx: CliContext,
  format: OutputFormat,
  nodes: readonly string[],
  spec: NodeTableSpec<T>,
): Promise<void> {
  const json = format.kind === "json";
  const rows: string[][] = [];
  const results = await fanOut(nodes, spec.fetch, {
    signal: ctx.signal,
    onResult: (r) => {
      if (!r.ok) {
        if (json) ctx.stdout.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
        return;
      }
      if (!json) {
        rows.push(...spec.rows(r.node, r.value));
        return;
      }
      for (const item of r.value)
        ctx.stdout.write(`${JSON.stringify({ node: r.node, ...spec.json(item) })}\n`);
    },
  });
  if (!json && results.some((r) => r.ok)) ctx.stdout.write(renderTable([...spec.headers], rows));
  throwIfAnyFailed(results);
}
