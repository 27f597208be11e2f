// talosctl events: the machine's runtime events from every node, one line per event (node,
// time, id, type and what happened as key=value pairs) or one JSON object per event, until
// Ctrl+C. History is opt-in: --tail N|-1, --since <event id> or --duration <d>.
import {
  CoalescingWriter,
  type DecodedEvent,
  decodeEvent,
  errorFromNode,
  eventFields,
  eventLabel,
  eventPayloadJson,
  NodeError,
  openClient,
  streamNodes,
  throwIfAnyFailed,
  xidTime,
} from "../../../client/index.js";
import { ReportedError, UserError } from "../../../errors.js";
import { formatGoDuration } from "../../../wire/index.js";
import { args, defineCommand, type FlagValues, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { parseOutputFormat } from "../../output/index.js";

const FORMATS = ["text", "json"] as const;

const NANOS_PER_SECOND = 1_000_000_000n;
const INT32_MAX = 2 ** 31 - 1;

/** Column widths of the single-line layout; the node column fits the longest node name. */
const TIME_WIDTH = 20;
const ID_WIDTH = 20;
const EVENT_WIDTH = 13;
const GAP = "   ";

type Known = Extract<DecodedEvent, { kind: "event" }>;

/** A value for a key=value pair: bare when plain, JSON-quoted (escaped) with spaces, quotes or control characters. */
function pairValue(value: string): string {
  return value === "" || /[\s"=\\\u0000-\u001f\u007f]/.test(value) ? JSON.stringify(value) : value;
}

function timeOf(id: string): string {
  const t = xidTime(id);
  return t ? t.toISOString().replace(/\.\d{3}Z$/, "Z") : "-";
}

/** The text line of one event (without the newline). */
function eventLine(node: string, nodeWidth: number, event: Known): string {
  const details = eventFields(event.payload).map(([k, v]) => `${k}=${pairValue(v)}`);
  if (event.actorId !== "") details.push(`actor=${event.actorId}`);
  return [
    node.padEnd(nodeWidth),
    timeOf(event.id).padEnd(TIME_WIDTH),
    event.id.padEnd(ID_WIDTH),
    eventLabel(event.typeName).padEnd(EVENT_WIDTH),
    details.join(" "),
  ]
    .join(GAP)
    .trimEnd();
}

function eventHeader(nodeWidth: number): string {
  return [
    "NODE".padEnd(nodeWidth),
    "TIME".padEnd(TIME_WIDTH),
    "ID".padEnd(ID_WIDTH),
    "EVENT".padEnd(EVENT_WIDTH),
    "DETAILS",
  ].join(GAP);
}

function eventJson(node: string, event: Known): Record<string, unknown> {
  return {
    node,
    id: event.id,
    time: timeOf(event.id),
    actorId: event.actorId,
    type: event.typeName,
    payload: eventPayloadJson(event),
  };
}

const eventsFlags = {
  ...connectionFlags,
  ...outputFlag(FORMATS, "text"),
  tail: flag.int32({ describe: "show this many past events (-1 for all the node holds)" }),
  since: flag.string({ describe: "show the events after the event with this ID" }),
  duration: flag.duration({ describe: "show the events of this long ago and since (e.g. 10m)" }),
  "actor-id": flag.string({ describe: "only the events of this actor ID" }),
} as const;

interface TailOptions {
  tailEvents: number;
  tailId: string;
  tailSeconds: number;
}

/** The request's tail options; more than one of them is the user's mistake, said before connecting. */
function tailOptions(values: FlagValues<typeof eventsFlags>): TailOptions {
  const { tail: tailEvents, since, duration } = values;
  if (duration < 0n)
    throw new UserError(`--duration must not be negative (got ${formatGoDuration(duration)})`);
  const seconds = duration / NANOS_PER_SECOND;
  if (seconds > BigInt(INT32_MAX)) {
    throw new UserError(`--duration ${formatGoDuration(duration)} is too long (at most ${INT32_MAX}s)`);
  }
  const tailSeconds = Number(seconds);
  const given = [
    tailEvents !== 0 ? "--tail" : undefined,
    since !== "" ? "--since" : undefined,
    tailSeconds !== 0 ? "--duration" : undefined,
  ].filter((f): f is string => f !== undefined);
  if (given.length > 1) {
    throw new UserError(`${given.join(" and ")} can't be used together: choose one way to pick past events`);
  }
  if (since !== "" && !/^[0-9a-v]{20}$/.test(since)) {
    throw new UserError(`--since ${JSON.stringify(since)} is not an event ID (20 characters of 0-9 and a-v)`);
  }
  return { tailEvents, tailId: since, tailSeconds };
}

export const command = defineCommand({
  args: args.any,
  flags: eventsFlags,
  examples: [
    ["$0", "events from now on, until Ctrl+C"],
    ["$0 --tail -1", "every event the nodes still hold, then new ones"],
    ["$0 --duration 10m", "the events of the last ten minutes, then new ones"],
    ["$0 --since d2iq4ld3s5fqdgdo2vv0", "the events after this one"],
    ["$0 --actor-id 5e8f3b1a-...", "only the events of one reboot, reset or upgrade"],
    ["$0 -o json --tail 20", "one JSON object per event"],
  ],
  async handler({ flags }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const request = { ...tailOptions(flags), withActorId: flags["actor-id"] };
    const json = format.kind === "json";
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      const nodeWidth = Math.max(4, ...nodes.map((n) => n.length));
      const out = new CoalescingWriter(ctx.stdout, ctx.signal);
      if (!json) await out.write(`${eventHeader(nodeWidth)}\n`);
      const results = await streamNodes(
        nodes,
        (node) => client.forNode(node).machine.events(request),
        async (node, event) => {
          const decoded = decodeEvent(event);
          if (decoded.kind !== "event") return;
          const line = json ? JSON.stringify(eventJson(node, decoded)) : eventLine(node, nodeWidth, decoded);
          await out.write(`${line}\n`);
        },
        {
          signal: ctx.signal,
          // A follow never ends on its own: a node that fails is named at once, not at Ctrl+C.
          onResult: (r) => {
            if (r.ok) return;
            if (json) void out.write(`${JSON.stringify({ node: r.node, error: r.error.message })}\n`);
            else
              ctx.stderr.write(
                `${r.error instanceof NodeError ? r.error.message : errorFromNode(r.node, r.error)}\n`,
              );
          },
          onEnd: (node, end) => {
            // A node ends an events stream on its own only when it goes away or when this
            // reader fell a whole event buffer behind; either way the user must know.
            if (end === "completed") {
              ctx.stderr.write(
                `WARNING: ${node}: the node ended the event stream (it restarted, or this reader fell more than a buffer of events behind)\n`,
              );
            }
          },
        },
      );
      await out.flush();
      // JSON output carried each failure as it happened; stderr still names them at the end.
      if (json) throwIfAnyFailed(results);
      const failed = results.filter((r) => !r.ok).map((r) => r.node);
      if (failed.length > 0) throw new ReportedError(`events failed on ${failed.join(", ")}`);
    } finally {
      client.close();
    }
  },
});
