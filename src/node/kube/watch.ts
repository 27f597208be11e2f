// Watch streams: one JSON event per line (`ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK`, `ERROR`)
// from a resourceVersion, filtered by label and field selectors (an object that starts or stops
// matching arrives as ADDED or DELETED), with the initial state first when the client asks
// for it, bookmarks when allowed, and the request's timeout. A watcher that stops reading
// while events pile up past WATCH_BACKLOG_LIMIT is closed, as kube-apiserver drops slow
// watchers; the client then watches again from its last resourceVersion.
import type { ServerResponse } from "node:http";
import type { Json, KObject } from "./objects.js";
import { apiVersionOf, type ResourceType } from "./resources.js";
import { checkFieldSelector, parseFieldSelector, parseLabelSelector } from "./selectors.js";
import { badRequest, KubeStatusError } from "./status.js";
import { type KubeStorage, selected, type WatchEvent } from "./storage.js";
import { toTable } from "./tables.js";

/** Events a slow watcher may have waiting before its watch is closed. */
export const WATCH_BACKLOG_LIMIT = 10_000;
/** How often a watch that allows bookmarks gets one (real time). */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** The longest watch without a timeout of its own (kube-apiserver's --min-request-timeout is 1800 s). */
export const MAX_WATCH_MS = 1_800_000;

export interface WatchRequest {
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly query: URLSearchParams;
  readonly table: boolean;
  readonly now: () => Date;
}

/** Streams a watch to `res` until the client goes, the timeout passes or the server stops. */
export async function serveWatch(
  storage: KubeStorage,
  req: WatchRequest,
  res: ServerResponse,
  closed: AbortSignal,
): Promise<void> {
  const q = req.query;
  const r = req.resource;
  const labels = parseLabelSelector(q.get("labelSelector") ?? undefined);
  const fields = parseFieldSelector(q.get("fieldSelector") ?? undefined);
  checkFieldSelector(r, fields);
  const rvText = q.get("resourceVersion") ?? "";
  if (rvText !== "" && !/^\d+$/.test(rvText)) throw badRequest(`invalid resource version: ${rvText}`);
  const sendInitial = q.get("sendInitialEvents") === "true";
  const bookmarks = q.get("allowWatchBookmarks") === "true";
  const timeoutText = q.get("timeoutSeconds");
  const timeoutMs =
    timeoutText !== null && /^\d+$/.test(timeoutText) && Number(timeoutText) > 0
      ? Number(timeoutText) * 1000
      : MAX_WATCH_MS;

  let start: number;
  let initial: KObject[] = [];
  if (rvText === "" || rvText === "0" || sendInitial) {
    const list = await storage.list(r, req.namespace, { labelSelector: labels, fieldSelector: fields });
    initial = list.items;
    start = Number(list.resourceVersion);
  } else start = Number(rvText);

  res.writeHead(200, {
    "Content-Type": "application/json",
    "Cache-Control": "no-cache, private",
    "Transfer-Encoding": "chunked",
  });
  // Clients wait for the headers before they read events: send them now, not with the first event.
  res.flushHeaders();
  let first = true;
  let lastRevision = start;
  const backlog: string[] = [];
  let waiting = false;
  let done = false;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });

  const render = (type: string, object: KObject | Json): string => {
    let body: unknown = object;
    if (req.table && type !== "BOOKMARK" && type !== "ERROR") {
      body = toTable(r, [object as KObject], {
        now: req.now(),
        noHeaders: !first,
        includeObject: q.get("includeObject") ?? undefined,
      });
      first = false;
    }
    return `${JSON.stringify({ type, object: body })}\n`;
  };
  const write = (line: string): void => {
    if (done) return;
    if (waiting) {
      backlog.push(line);
      if (backlog.length > WATCH_BACKLOG_LIMIT) stop();
      return;
    }
    if (!res.write(line)) {
      waiting = true;
      res.once("drain", flush);
    }
  };
  const flush = (): void => {
    waiting = false;
    while (backlog.length > 0 && !done) {
      if (!res.write(backlog.shift()!)) {
        waiting = true;
        res.once("drain", flush);
        return;
      }
    }
  };
  const bookmark = (extra: Json = {}): void => {
    write(
      render("BOOKMARK", {
        kind: r.kind,
        apiVersion: apiVersionOf(r),
        metadata: { resourceVersion: String(lastRevision), ...extra },
      }),
    );
  };

  for (const o of initial) write(render("ADDED", o));
  if (sendInitial && bookmarks) bookmark({ annotations: { "k8s.io/initial-events-end": "true" } });

  const deliver = (events: readonly WatchEvent[]): void => {
    for (const e of events) {
      lastRevision = Math.max(lastRevision, e.revision);
      const now = selected(e.object, labels, fields);
      if (e.type === "DELETED") {
        if (now) write(render("DELETED", e.object));
        continue;
      }
      const before = e.previous !== undefined && selected(e.previous, labels, fields);
      if (now && before) write(render("MODIFIED", e.object));
      else if (now) write(render("ADDED", e.object));
      else if (before) write(render("DELETED", e.object));
    }
  };

  let watch: { cancel(): void } | undefined;
  try {
    watch = storage.watch(r, req.namespace, start, deliver);
  } catch (err) {
    if (err instanceof KubeStatusError) {
      write(render("ERROR", err.toStatus()));
      res.end();
      return;
    }
    throw err;
  }
  const timer = setTimeout(stop, timeoutMs);
  const ticker = bookmarks ? setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS) : undefined;
  ticker?.unref();
  function stop(): void {
    if (done) return;
    done = true;
    watch?.cancel();
    clearTimeout(timer);
    if (ticker) clearInterval(ticker);
    backlog.length = 0;
    res.end();
    finish();
  }
  closed.addEventListener("abort", stop, { once: true });
  res.on("close", stop);
  await finished;
}
