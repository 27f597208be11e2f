// talosctl service [<id> [start|stop|restart|status]]: the services of every node as a table,
// one service's state and recent events, or starting, stopping and restarting it.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  completionQuery,
  fanOut,
  openClient,
  serviceIds,
  type TalosClient,
  throwIfAnyFailed,
} from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import type { ServiceInfo } from "../../../gen/machine/machine_pb.js";
import { goAge } from "../../../wire/index.js";
import { args, defineCommand } from "../../command.js";
import type { CliContext } from "../../context.js";
import {
  completionConnection,
  connectionFlags,
  connectionOptions,
  insecureFlags,
  outputFlag,
} from "../../flags.js";
import { type OutputFormat, parseOutputFormat, renderTable } from "../../output/index.js";

const FORMATS = ["text", "json"] as const;
const ACTIONS = ["start", "stop", "restart", "status"] as const;
export const command = defineCommand({
  use: "[<id> [start|stop|restart|status]]",
  args: args.max(2),
  flags: { ...connectionFlags, ...insecureFlags, ...outputFlag(FORMATS, "text") },
  examples: [
    ["$0", "every service of every node"],
    ["$0 etcd", "etcd's state, health and recent events"],
    ["$0 kubelet restart", "restart the kubelet"],
    ["$0 -o json", "one JSON object per service and node"],
  ],
  completePositional: async (index, ctx, input) => {
    if (index === 1) return [...ACTIONS];
    if (index !== 0) return [];
    return completionQuery(completionConnection(input), ctx, (client, nodes) => serviceIds(client, nodes));
  },
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const id = args[0];
    const action = args[1] ?? "status";
    if (id !== undefined && !(ACTIONS as readonly string[]).includes(action)) {
      throw new UserError(`unsupported service action: ${JSON.stringify(action)}`);
    }
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      if (id === undefined) await list(ctx, client, nodes, format);
      else if (action === "status") await status(ctx, client, nodes, id, format);
      else await control(ctx, client, nodes, id, action as "start" | "stop" | "restart", format);
    } finally {
      client.close();
    }
  },
});

function healthText(s: ServiceInfo): string {
  if (!s.health || s.health.unknown) return "?";
  return s.health.healthy ? "OK" : "Fail";
}

function serviceJson(node: string, s: ServiceInfo): Record<string, unknown> {
  const iso = (ts: Parameters<typeof timestampDate>[0] | undefined): string | null =>
    ts ? timestampDate(ts).toISOString() : null;
  return {
    node,
    id: s.id,
    state: s.state,
    health: healthText(s),
    healthMessage: s.health?.lastMessage ?? "",
    healthChanged: iso(s.health?.lastChange),
    events: (s.events?.events ?? []).map((e) => ({ state: e.state, message: e.msg, time: iso(e.ts) })),
  };
}

function jsonLine(ctx: CliContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}

async function fetchServices(client: TalosClient, node: string): Promise<ServiceInfo[]> {
  const reply = await client.forNode(node).machine.serviceList({});
  return reply.messages.flatMap((m) => m.services);
}

async function list(ctx: CliContext, client: TalosClient, nodes: readonly string[], format: OutputFormat) {
  const rows: string[][] = [];
  const now = ctx.now();
  const results = await fanOut(nodes, (node) => fetchServices(client, node), {
    signal: ctx.signal,
    onResult: (r) => {
      if (!r.ok) {
        if (format.kind === "json") jsonLine(ctx, { node: r.node, error: r.error.message });
        return;
      }
      for (const s of r.value) {
        if (format.kind === "json") {
          jsonLine(ctx, serviceJson(r.node, s));
          continue;
        }
        const events = s.events?.events ?? [];
        const last = events[events.length - 1];
        rows.push([
          r.node,
          s.id,
          s.state,
          healthText(s),
          last?.ts ? `${goAge(timestampDate(last.ts), now)} ago` : "",
          last ? last.msg : "<none>",
        ]);
      }
    },
  });
  if (format.kind !== "json" && results.some((r) => r.ok)) {
    ctx.stdout.write(renderTable(["NODE", "SERVICE", "STATE", "HEALTH", "LAST CHANGE", "LAST EVENT"], rows));
  }
  throwIfAnyFailed(results);
}

async function status(
  ctx: CliContext,
  client: TalosClient,
  nodes: readonly string[],
  id: string,
  format: OutputFormat,
) {
  const now = ctx.now();
  let found = 0;
  let blocks = 0;
  const results = await fanOut(nodes, (node) => fetchServices(client, node), {
    signal: ctx.signal,
    onResult: (r) => {
      if (!r.ok) {
        if (format.kind === "json") jsonLine(ctx, { node: r.node, error: r.error.message });
        return;
      }
      const s = r.value.find((x) => x.id === id);
      if (!s) return;
      found++;
      if (format.kind === "json") {
        jsonLine(ctx, serviceJson(r.node, s));
        return;
      }
      const rows: string[][] = [
        ["ID", s.id],
        ["STATE", s.state],
        ["HEALTH", healthText(s)],
      ];
      if (s.health && s.health.lastMessage !== "") rows.push(["LAST HEALTH MESSAGE", s.health.lastMessage]);
      const events = [...(s.events?.events ?? [])].reverse();
      events.forEach((e, i) => {
        const age = e.ts ? ` (${goAge(timestampDate(e.ts), now)} ago)` : "";
        rows.push([i === 0 ? "EVENTS" : "", `[${e.state}]: ${e.msg}${age}`]);
      });
      if (blocks++ > 0) ctx.stdout.write("\n");
      ctx.stdout.write(renderTable(["NODE", r.node], rows));
    },
  });
  throwIfAnyFailed(results);
  if (found === 0) throw new UserError(`service ${JSON.stringify(id)} is not registered on any nodes`);
}

async function control(
  ctx: CliContext,
  client: TalosClient,
  nodes: readonly string[],
  id: string,
  action: "start" | "stop" | "restart",
  format: OutputFormat,
) {
  const rows: string[][] = [];
  const results = await fanOut(
    nodes,
    async (node) => {
      const machine = client.forNode(node).machine;
      const reply =
        action === "start"
          ? await machine.serviceStart({ id })
          : action === "stop"
            ? await machine.serviceStop({ id })
            : await machine.serviceRestart({ id });
      return reply.messages.map((m) => m.resp);
    },
    {
      signal: ctx.signal,
      onResult: (r) => {
        if (!r.ok) {
          if (format.kind === "json") jsonLine(ctx, { node: r.node, error: r.error.message });
          return;
        }
        for (const response of r.value) {
          if (format.kind === "json") jsonLine(ctx, { node: r.node, response });
          else rows.push([r.node, response]);
        }
      },
    },
  );
  if (format.kind !== "json" && rows.length > 0) ctx.stdout.write(renderTable(["NODE", "RESPONSE"], rows));
  throwIfAnyFailed(results);
}
