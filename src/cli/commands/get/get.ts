// talosctl get <type> [<id>]: reads COSI resources from each node (one node after another, in
// --nodes order) or watches them, printing a table, YAML, JSON or a JSONPath per resource.
import {
  checkServerVersions,
  completionQuery,
  eventName,
  listResourceDefinitions,
  type NodeClient,
  NodeError,
  openClient,
  type ResourceDefinition,
  resolveResourceKind,
  resourceData,
  type TalosClient,
  toRpcError,
  type WatchEventName,
} from "../../../client/index.js";
import { errorMessage, JoinedError } from "../../../errors.js";
import type { Resource } from "../../../gen/cosi/resource/resource_pb.js";
import { EventType } from "../../../gen/cosi/resource/state_pb.js";
import { TALOS_VERSION } from "../../../version.js";
import { args, defineCommand, type FlagSet, flag, type Invocation } from "../../command.js";
import type { CliContext, OutputStream } from "../../context.js";
import {
  completionConnection,
  connectionFlags,
  connectionOptions,
  insecureFlags,
  outputFlag,
} from "../../flags.js";
import { compileJsonPath, type OutputFormat, parseOutputFormat, toYaml } from "../../output/index.js";

const FORMATS = ["table", "yaml", "json", "jsonpath"] as const;

export const command = defineCommand({
  use: "<type> [<id>]",
  args: args.range(1, 2),
  flags: {
    ...connectionFlags,
    ...insecureFlags,
    ...outputFlag(FORMATS, "table"),
    namespace: flag.string({
      describe: "resource namespace (default is to use default namespace per resource)",
    }),
    watch: flag.bool({ short: "w", describe: "watch resource changes" }),
  },
  examples: [
    ["$0 members", "list the cluster members as every node sees them"],
    ["$0 machinestatus -o yaml", "one resource as YAML"],
    ["$0 services -w", "watch the services change"],
    ["$0 rd", "list every resource type and its aliases"],
  ],
  completePositional: (index, ctx, input) => (index === 0 ? resourceTypeCandidates(ctx, input) : []),
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const typeArg = args[0]!;
    const id = args[1];
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const check = await checkServerVersions(client, nodes, TALOS_VERSION);
      if (check.warning) ctx.stderr.write(`${check.warning}\n`);
      // A node that cannot even say its version is reported; the others still answer.
      const errors: Error[] = [...check.failed.values()];
      const reachable = nodes.filter((n) => !check.failed.has(n));
      if (reachable.length === 0) throw new JoinedError(errors);
      const definition = await resolveOn(client.forNode(reachable[0]!), typeArg);
      const namespace = flags.namespace || definition.defaultNamespace;
      const query: Query = { definition, namespace, ...(id !== undefined ? { id } : {}) };
      if (flags.watch) {
        await watch(ctx, client, reachable, query, format, errors);
      } else {
        await getOnce(ctx, client, reachable, query, format, errors);
      }
      if (errors.length > 0) throw new JoinedError(errors);
    } finally {
      client.close();
    }
  },
});

/**
 * Completion of the type argument: what the first node registers (ids and aliases), reached
 * with the connection flags typed so far (`get -n 10.5.0.3 --talosconfig x <TAB>`).
 */
function resourceTypeCandidates(ctx: CliContext, input: Invocation<FlagSet>): Promise<string[]> {
  return completionQuery(completionConnection(input), ctx, async (client, nodes) => {
    const definitions = await listResourceDefinitions(client.forNode(nodes[0]!));
    return [...new Set(definitions.flatMap((d) => [...d.aliases, d.id]))].sort();
  });
}

interface Query {
  readonly definition: ResourceDefinition;
  readonly namespace: string;
  readonly id?: string;
}

async function resolveOn(node: NodeClient, typeArg: string): Promise<ResourceDefinition> {
  let definitions: ResourceDefinition[];
  try {
    definitions = await listResourceDefinitions(node);
  } catch (err) {
    throw new JoinedError([
      new NodeError(
        node.node,
        `error getting resource definitions from node ${node.node}: ${toRpcError(err).message}`,
      ),
    ]);
  }
  return resolveResourceKind(definitions, typeArg);
}

async function getOnce(
  ctx: CliContext,
  client: TalosClient,
  nodes: readonly string[],
  query: Query,
  format: OutputFormat,
  errors: Error[],
): Promise<void> {
  const printer = new ResourcePrinter(ctx.stdout, format, query.definition, false);
  for (const node of nodes) {
    const cosi = client.forNode(node).cosi;
    const request = { namespace: query.namespace, type: query.definition.type };
    try {
      if (query.id !== undefined) {
        const reply = await cosi.get({ ...request, id: query.id });
        if (reply.resource) printer.add(node, reply.resource);
      } else {
        // Rows of one node are kept until its listing completes, so a failure part-way
        // does not leave half a node's resources in the output.
        const items: Resource[] = [];
        for await (const item of cosi.list(request)) if (item.resource) items.push(item.resource);
        for (const r of items) printer.add(node, r);
      }
    } catch (err) {
      const what = query.id !== undefined ? "error getting resource" : "error listing resources";
      errors.push(
        new NodeError(node, `${what} on node ${node}: ${toRpcError(err, ctx.signal.aborted).message}`),
      );
    }
  }
  printer.finish();
}

interface WatchItem {
  readonly node: string;
  readonly event: WatchEventName;
  readonly resource: Resource;
}

async function watch(
  ctx: CliContext,
  client: TalosClient,
  nodes: readonly string[],
  query: Query,
  format: OutputFormat,
  errors: Error[],
): Promise<void> {
  const printer = new ResourcePrinter(ctx.stdout, format, query.definition, true);
  // A kind watch starts with the current resources; they are shown together once the first
  // node says its initial list is complete. A single-resource watch prints every event.
  let buffering = query.id === undefined;
  const buffered: WatchItem[] = [];
  let fatal: Error | undefined;
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.signal, stop.signal]);

  const emit = (item: WatchItem): void => {
    if (buffering) {
      buffered.push(item);
      return;
    }
    printer.add(item.node, item.resource, item.event);
    printer.flush();
  };

  const watchNode = async (node: string): Promise<void> => {
    let stream: AsyncIterable<{ event: { eventType: EventType; resource?: Resource; error?: string }[] }>;
    try {
      stream = client.forNode(node).cosi.watch(
        {
          namespace: query.namespace,
          type: query.definition.type,
          ...(query.id !== undefined ? { id: query.id } : {}),
          options: { bootstrapContents: query.id === undefined, tailEvents: 0 },
          apiVersion: 1,
        },
        { signal },
      );
      for await (const reply of stream) {
        for (const e of reply.event) {
          if (e.eventType === EventType.BOOTSTRAPPED) {
            if (buffering) {
              buffering = false;
              for (const item of buffered) printer.add(item.node, item.resource, item.event);
              buffered.length = 0;
              printer.flush();
            }
            continue;
          }
          if (e.eventType === EventType.ERRORED) {
            fatal ??= new Error(`error watching resource: ${e.error ?? "unknown error"}`);
            stop.abort();
            return;
          }
          const name = eventName(e.eventType);
          if (name === undefined || !e.resource) continue;
          emit({ node, event: name, resource: e.resource });
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      errors.push(
        new NodeError(node, `error setting up watch on node ${node}: ${toRpcError(err).message}`, {
          cause: err,
        }),
      );
    }
  };

  await Promise.all(nodes.map(watchNode));
  if (buffering && buffered.length > 0) {
    for (const item of buffered) printer.add(item.node, item.resource, item.event);
  }
  printer.flush();
  printer.finish();
  if (fatal) throw fatal;
}

const EVENT_MARK: Readonly<Record<WatchEventName, string>> = { created: "+", updated: " ", destroyed: "-" };

/**
 * Writes resources in the chosen format. Tables are aligned over what has been flushed so
 * far (a watch flushes as events come, like talosctl's tab writer); the header is written
 * even when no node returned anything.
 */
class ResourcePrinter {
  private readonly rows: string[][] = [];
  private widths: number[] = [];
  private headerWritten = false;
  private documents = 0;
  private readonly header: string[];
  private readonly columns: { name: string; render: (spec: unknown) => string }[];

  constructor(
    private readonly out: OutputStream,
    private readonly format: OutputFormat,
    private readonly definition: ResourceDefinition,
    private readonly watching: boolean,
  ) {
    this.columns = definition.printColumns.map((c) => {
      const path = compileJsonPath(c.jsonPath);
      return {
        name: c.name.toUpperCase(),
        render: (spec: unknown) => {
          try {
            return path.render(spec).replace(/\n/g, " ");
          } catch (err) {
            return `<${errorMessage(err)}>`;
          }
        },
      };
    });
    this.header = [
      "NODE",
      ...(watching ? ["*"] : []),
      "NAMESPACE",
      "TYPE",
      "ID",
      "VERSION",
      ...this.columns.map((c) => c.name),
    ];
  }

  add(node: string, resource: Resource, event?: WatchEventName): void {
    const data = resourceData(node, resource, event);
    switch (this.format.kind) {
      case "table": {
        const md = resource.metadata;
        this.rows.push([
          node,
          ...(this.watching ? [EVENT_MARK[event ?? "updated"]] : []),
          md?.namespace ?? "",
          this.definition.displayType,
          md?.id ?? "",
          md?.version ?? "",
          ...this.columns.map((c) => c.render(data.spec)),
        ]);
        return;
      }
      case "yaml":
        if (this.documents++ > 0) this.out.write("---\n");
        this.out.write(toYaml(data));
        return;
      case "json":
        this.out.write(`${JSON.stringify(sortKeys(data), null, 4)}\n`);
        return;
      case "jsonpath": {
        const text = this.format.path.render(data);
        this.out.write(text.endsWith("\n") ? text : `${text}\n`);
        return;
      }
      default:
        return;
    }
  }

  /** Writes the table rows collected so far. */
  flush(): void {
    if (this.format.kind !== "table") return;
    if (!this.headerWritten) {
      this.widen(this.header);
    }
    for (const row of this.rows) this.widen(row);
    let text = "";
    if (!this.headerWritten) {
      text += this.line(this.header);
      this.headerWritten = true;
    }
    for (const row of this.rows) text += this.line(row);
    this.rows.length = 0;
    if (text !== "") this.out.write(text);
  }

  finish(): void {
    this.flush();
  }

  private widen(row: readonly string[]): void {
    row.forEach((cell, i) => {
      this.widths[i] = Math.max(this.widths[i] ?? 0, [...cell].length);
    });
  }

  private line(row: readonly string[]): string {
    const cells = row.map((cell, i) =>
      i === row.length - 1 ? cell : cell + " ".repeat((this.widths[i] ?? 0) - [...cell].length + 3),
    );
    return `${cells.join("").trimEnd()}\n`;
  }
}

/** JSON with map keys sorted at every level, as Go's encoder writes maps. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
