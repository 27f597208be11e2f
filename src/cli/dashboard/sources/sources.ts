// Feeds the node states from the node's API, one set of feeds per node (siderolabs/talos:
// internal/pkg/dashboard/{resourcedata,apidata,logdata}): COSI watches of the resources in
// WATCHED, a poll of the machine statistics every update interval, and the kernel log
// followed. Each feed reconnects on its own when the node goes away (a reboot, a lost
// network), so the dashboard follows a node down and back without being restarted.
import { setMaxListeners } from "node:events";
import { Code } from "@connectrpc/connect";
import { type NodeClient, specData, type TalosClient, toRpcError } from "../../../client/index.js";
import type { Resource } from "../../../gen/cosi/resource/resource_pb.js";
import { EventType } from "../../../gen/cosi/resource/state_pb.js";
import type { NodeState } from "../model/node-state.js";
import type { Sample } from "../model/stats.js";
import { WATCHED, type WatchedResource } from "./resources.js";

/** Pause before a failed watch group is started again (Talos waits one second). */
export const WATCH_RETRY_MS = 1_000;
/** Pause before the log stream is opened again; short, so a rebooted node's log resumes. */
export const LOG_RETRY_MS = 2_000;

export interface SourcesOptions {
  readonly client: TalosClient;
  readonly intervalMs: number;
  /** Called after any state changed. */
  readonly onChange: () => void;
  /** Stops every feed. */
  readonly signal: AbortSignal;
  /** Poll only (no watches or log): `--once` and tests of one poll. */
  readonly feeds?: { watch?: boolean; poll?: boolean; logs?: boolean };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Whether an error says the call is not for this client or node, rather than a lost node. */
function isRefusal(code: Code): boolean {
  return code === Code.PermissionDenied || code === Code.Unimplemented || code === Code.NotFound;
}

function describe(err: unknown): string {
  const e = toRpcError(err);
  return e.description !== "" ? e.description : e.message;
}

/** Starts every feed of one node; they run until the signal aborts. */
export function startNodeSources(state: NodeState, options: SourcesOptions): Promise<void> {
  // Every call and pause of every feed listens to the one stop signal.
  setMaxListeners(0, options.signal);
  const node = options.client.forNode(state.name);
  const feeds = options.feeds ?? {};
  const tasks: Promise<void>[] = [];
  if (feeds.watch !== false) tasks.push(watchLoop(node, state, options));
  if (feeds.poll !== false) tasks.push(pollLoop(node, state, options));
  if (feeds.logs !== false) tasks.push(logLoop(node, state, options));
  return Promise.all(tasks).then(() => undefined);
}

// --- resource watches ---

async function watchLoop(node: NodeClient, state: NodeState, options: SourcesOptions): Promise<void> {
  while (!options.signal.aborted) {
    const group = new AbortController();
    const signal = AbortSignal.any([options.signal, group.signal]);
    setMaxListeners(0, signal);
    let failure: unknown;
    let waiting = WATCHED.length;
    const ready = (): void => {
      if (--waiting === 0) {
        state.watchesReady = true;
        state.touch();
        options.onChange();
      }
    };
    await Promise.all(
      WATCHED.map((w) =>
        watchOne(node, state, w, signal, options.onChange, ready).catch((err: unknown) => {
          if (signal.aborted) return;
          failure ??= err;
          group.abort();
        }),
      ),
    );
    if (options.signal.aborted) return;
    if (failure !== undefined) {
      state.setDown(describe(failure));
      options.onChange();
    }
    await sleep(WATCH_RETRY_MS, options.signal);
  }
}

/** One watch; resolves when the type is refused, rejects when the stream breaks. */
async function watchOne(
  node: NodeClient,
  state: NodeState,
  w: WatchedResource,
  signal: AbortSignal,
  onChange: () => void,
  onReady: () => void,
): Promise<void> {
  const single = w.id !== undefined;
  let readySent = false;
  const ready = (): void => {
    if (!readySent) {
      readySent = true;
      onReady();
    }
  };
  // A type's resources are gathered until the node says the first listing is complete, then
  // replace what was known (a resource destroyed while the node was away must go).
  let pending: { id: string; spec: unknown }[] | undefined = single ? undefined : [];
  try {
    const stream = node.cosi.watch(
      {
        namespace: w.namespace,
        type: w.type,
        ...(single ? { id: w.id } : {}),
        options: { bootstrapContents: !single, tailEvents: 0 },
        apiVersion: 1,
      },
      { signal },
    );
    for await (const reply of stream) {
      state.setReachable();
      let changed = false;
      for (const e of reply.event) {
        if (e.eventType === EventType.ERRORED) throw new Error(`watch failed: ${e.error ?? "unknown error"}`);
        if (e.eventType === EventType.BOOTSTRAPPED) {
          if (pending) {
            w.clear?.(state);
            for (const p of pending) w.apply(state, p.id, p.spec);
            pending = undefined;
            changed = true;
            ready();
          }
          continue;
        }
        if (e.eventType === EventType.NOOP) continue;
        const resource: Resource | undefined = e.resource;
        const id = resource?.metadata?.id ?? "";
        const spec = e.eventType === EventType.DESTROYED || !resource ? undefined : specData(resource);
        if (pending) pending.push({ id, spec });
        else {
          w.apply(state, id, spec);
          changed = true;
        }
      }
      if (single && reply.event.length > 0) ready();
      if (changed) {
        state.touch();
        onChange();
      }
    }
  } catch (err) {
    if (signal.aborted) return;
    if (isRefusal(toRpcError(err).grpcCode)) {
      ready();
      return;
    }
    throw err;
  }
  if (!signal.aborted) throw new Error("watch closed by the node");
}

// --- statistics poll ---

type Call = keyof Omit<Sample, "at">;

const CALLS: readonly Call[] = [
  "loadAvg",
  "memory",
  "systemStat",
  "cpuInfo",
  "cpuFreq",
  "netDev",
  "disk",
  "processes",
];

async function fetchOne(
  node: NodeClient,
  call: Call,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Sample[Call]> {
  const o = { timeoutMs, signal };
  switch (call) {
    case "loadAvg":
      return (await node.machine.loadAvg({}, o)).messages[0];
    case "memory":
      return (await node.machine.memory({}, o)).messages[0];
    case "systemStat":
      return (await node.machine.systemStat({}, o)).messages[0];
    case "cpuInfo":
      return (await node.machine.cPUInfo({}, o)).messages[0];
    case "cpuFreq":
      return (await node.machine.cPUFreqStats({}, o)).messages[0];
    case "netDev":
      return (await node.machine.networkDeviceStats({}, o)).messages[0];
    case "disk":
      return (await node.machine.diskStats({}, o)).messages[0];
    case "processes":
      return (await node.machine.processes({}, o)).messages[0];
  }
}

/** One round of every statistics call; false when the node answered none of them. */
export async function pollOnce(
  node: NodeClient,
  state: NodeState,
  timeoutMs: number,
  signal: AbortSignal,
  skip: Set<Call> = new Set(),
): Promise<boolean> {
  const sample: Sample = { at: Date.now() };
  let answered = 0;
  let failure: unknown;
  await Promise.all(
    CALLS.filter((c) => !skip.has(c)).map(async (call) => {
      try {
        const value = await fetchOne(node, call, timeoutMs, signal);
        if (value) (sample as Record<Call, unknown>)[call] = value;
        answered++;
      } catch (err) {
        const code = toRpcError(err).grpcCode;
        // A call this node does not serve (or not to us) is not asked again until it reconnects.
        if (isRefusal(code)) {
          skip.add(call);
          answered++;
        } else failure ??= err;
      }
    }),
  );
  if (signal.aborted) return false;
  if (answered === 0 && failure !== undefined) {
    state.setDown(describe(failure));
    skip.clear();
    return false;
  }
  state.setReachable();
  state.addSample(sample);
  return true;
}

async function pollLoop(node: NodeClient, state: NodeState, options: SourcesOptions): Promise<void> {
  const skip = new Set<Call>();
  while (!options.signal.aborted) {
    const started = Date.now();
    await pollOnce(node, state, Math.max(options.intervalMs, 1_000), options.signal, skip);
    options.onChange();
    await sleep(Math.max(0, options.intervalMs - (Date.now() - started)), options.signal);
  }
}

// --- machine log ---

async function logLoop(node: NodeClient, state: NodeState, options: SourcesOptions): Promise<void> {
  while (!options.signal.aborted) {
    // The node replays its whole buffer on every new stream: lines up to the last one seen are
    // skipped when it is among them (same boot), all are kept otherwise (the node rebooted).
    const last = state.logs.filter((l) => !l.error).at(-1)?.text;
    const replay: string[] = [];
    let replaying = true;
    let flushTimer: ReturnType<typeof setTimeout> | undefined;
    const flushReplay = (): void => {
      if (!replaying) return;
      replaying = false;
      const at = last === undefined ? -1 : replay.lastIndexOf(last);
      for (const text of replay.slice(at + 1)) state.addLog({ text, error: false });
      state.logsReady = true;
      state.touch();
      options.onChange();
    };
    try {
      const stream = node.machine.dmesg({ follow: true, tail: false }, { signal: options.signal });
      let partial = "";
      for await (const data of stream) {
        state.setReachable();
        const text = partial + Buffer.from(data.bytes).toString("utf8");
        const lines = text.split("\n");
        partial = lines.pop() ?? "";
        for (const raw of lines) {
          const line = raw.trimEnd();
          if (line === "") continue;
          if (replaying) replay.push(line);
          else state.addLog({ text: line, error: false });
        }
        if (replaying) {
          // The replayed buffer arrives in one burst; the first quiet moment ends it.
          clearTimeout(flushTimer);
          flushTimer = setTimeout(flushReplay, 200);
        } else options.onChange();
      }
      clearTimeout(flushTimer);
      flushReplay();
    } catch (err) {
      clearTimeout(flushTimer);
      flushReplay();
      if (options.signal.aborted) return;
      const e = toRpcError(err);
      if (isRefusal(e.grpcCode)) {
        state.logsReady = true;
        return;
      }
      state.addLog({ text: `dashboard: error reading dmesg stream: ${e.message}`, error: true });
      options.onChange();
    }
    await sleep(LOG_RETRY_MS, options.signal);
  }
}
