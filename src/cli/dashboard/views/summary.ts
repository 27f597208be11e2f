// The Summary screen: the node's Talos facts, its Kubernetes side and its network in columns,
// diagnostics when there are any, and the live machine log below (siderolabs/talos:
// internal/pkg/dashboard/summary.go and components/{talosinfo,kubernetesinfo,networkinfo}.go).
// Beyond talosctl's: the members by name, etcd's state and whether time is in sync.
import type { NodeState } from "../model/node-state.js";
import { type Canvas, Color, type Line, type Rect, span, split, style } from "../terminal/canvas.js";
import {
  type Field,
  fieldLines,
  formatStatus,
  healthStatus,
  NONE,
  NOT_AVAILABLE,
  statusText,
  text,
} from "./format.js";
import { hline, textBlock } from "./widgets.js";

/** Rows of the fact columns (one blank row on top, as Talos pads them). */
export const SUMMARY_TOP_ROWS = 8;

/** The Kubernetes version in a kubelet image reference (`ghcr.io/siderolabs/kubelet:v1.37.0`). */
export function kubernetesVersion(image: string | undefined): string | undefined {
  if (!image) return undefined;
  const tag = /:([^:/@]+)(@.*)?$/.exec(image)?.[1];
  return tag && /^v?\d+\.\d+/.test(tag) ? tag : undefined;
}

function serviceHealth(state: NodeState, id: string): Line {
  const s = state.services.get(id);
  if (!s) return text(undefined);
  if (!s.running) return [formatStatus("Stopped")];
  if (s.unknown) return [formatStatus("Running")];
  return [healthStatus(s.healthy)];
}

export function talosFields(state: NodeState): Field[] {
  const members = [...state.members.values()];
  const count = members.length;
  const machines = count > 0 ? `(${count} machine${count === 1 ? "" : "s"})` : NOT_AVAILABLE;
  return [
    { name: "UUID", value: text(state.uuid) },
    { name: "CLUSTER", value: text(`${state.clusterName ?? NOT_AVAILABLE} ${machines}`) },
    {
      name: "MEMBERS",
      value: text(
        count > 0
          ? members
              .map((m) => m.hostname)
              .sort()
              .join(", ")
          : undefined,
      ),
    },
    {
      name: "SIDEROLINK",
      value: state.siderolink
        ? [statusText(state.siderolink.host, state.siderolink.connected)]
        : text(undefined),
    },
    { name: "STAGE", value: [formatStatus(state.stage)] },
    {
      name: "READY",
      value:
        state.ready === false && state.unmetConditions.length > 0
          ? [formatStatus(false), span(` (${state.unmetConditions.join(", ")})`, style(Color.gray))]
          : [formatStatus(state.ready)],
    },
    { name: "SECUREBOOT", value: [formatStatus(state.secureBoot)] },
  ];
}

function podReady(state: NodeState, name: string): Line {
  for (const [id, ready] of state.staticPods) {
    if (id.includes(name)) return ready === undefined ? text(undefined) : [healthStatus(ready)];
  }
  return text(undefined);
}

export function kubernetesFields(state: NodeState): Field[] {
  const controlPlane = state.machineType === "controlplane" || state.machineType === "init";
  const fields: Field[] = [
    { name: "TYPE", value: text(state.machineType) },
    { name: "KUBERNETES", value: text(kubernetesVersion(state.kubeletImage)) },
    { name: "KUBELET", value: serviceHealth(state, "kubelet") },
  ];
  if (controlPlane) {
    fields.push(
      { name: "ETCD", value: serviceHealth(state, "etcd") },
      { name: "APISERVER", value: podReady(state, "kube-apiserver") },
      { name: "CONTROLLER-MANAGER", value: podReady(state, "kube-controller-manager") },
      { name: "SCHEDULER", value: podReady(state, "kube-scheduler") },
    );
  }
  return fields;
}

export function networkFields(state: NodeState): Field[] {
  const addresses = state.addresses();
  const gateways = state.gateways();
  const list = (v: string[] | undefined): Line =>
    text(v === undefined ? undefined : v.length === 0 ? NONE : v.join(", "));
  return [
    { name: "HOST", value: text(state.hostname) },
    { name: "IP", value: text(addresses?.join(", ")) },
    { name: "GW", value: text(gateways.length > 0 ? gateways.join(", ") : undefined) },
    {
      name: "CONNECTIVITY",
      value:
        state.connectivity === undefined
          ? text(undefined)
          : [statusText(state.connectivity ? "OK" : "FAILED", state.connectivity)],
    },
    { name: "DNS", value: list(state.resolvers) },
    { name: "NTP", value: list(state.timeServers) },
    {
      name: "TIME",
      value:
        state.timeSynced === undefined
          ? text(undefined)
          : [statusText(state.timeSynced ? "Synced" : "Not synced", state.timeSynced)],
    },
  ];
}

/** Whether the Kubernetes column is shown: once the node shows any sign of Kubernetes. */
export function kubernetesVisible(state: NodeState): boolean {
  return (
    kubernetesVersion(state.kubeletImage) !== undefined ||
    state.services.has("kubelet") ||
    state.machineType !== undefined
  );
}

/** The fact columns as blocks of lines (Talos, [Kubernetes,] network). */
export function summaryColumns(state: NodeState): { lines: Line[]; weight: number }[] {
  const cols = [{ lines: fieldLines(talosFields(state)), weight: 3 }];
  if (kubernetesVisible(state)) cols.push({ lines: fieldLines(kubernetesFields(state)), weight: 2 });
  cols.push({ lines: fieldLines(networkFields(state)), weight: 3 });
  return cols;
}

/**
 * Column widths: the Kubernetes column (the middle of three) as wide as its longest line, up to
 * 35% of the screen; the other two share the rest (Talos's fixed 3:2:3 cuts its values short).
 */
export function columnWidths(cols: readonly { lines: Line[]; weight: number }[], width: number): number[] {
  if (cols.length !== 3)
    return split(
      width,
      cols.map((c) => c.weight),
    );
  const natural =
    Math.max(0, ...cols[1]!.lines.map((l) => l.reduce((n, s) => n + [...s.text].length, 0))) + 2;
  const middle = Math.min(natural, Math.floor(width * 0.35));
  const [left, right] = split(width - middle, [1, 1]) as [number, number];
  return [left, middle, right];
}

/** Wraps log text to a width (continuation lines start at the left edge, as tview wraps). */
function wrap(textLine: string, width: number): string[] {
  if (width <= 0) return [];
  const chars = [...textLine];
  if (chars.length <= width) return [textLine];
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += width) out.push(chars.slice(i, i + width).join(""));
  return out;
}

export interface LogViewState {
  /** Lines scrolled up from the newest (0 follows the log). */
  scroll: number;
}

/** The log pane's lines for a height, newest at the bottom, scrolled up by `scroll`. */
export function logWindow(state: NodeState, width: number, height: number, scroll: number): Line[] {
  const lines: Line[] = [];
  for (const l of state.logs) {
    for (const w of wrap(l.text, width)) lines.push([span(w, l.error ? style(Color.red) : 0)]);
  }
  if (lines.length === 0) return [[span("...")]];
  const end = Math.max(0, lines.length - scroll);
  return lines.slice(Math.max(0, end - height), end);
}

export function drawSummary(canvas: Canvas, r: Rect, state: NodeState, logs: LogViewState): void {
  const cols = summaryColumns(state);
  const widths = columnWidths(cols, r.w);
  let x = r.x;
  const top = Math.min(SUMMARY_TOP_ROWS, r.h);
  cols.forEach((c, i) => {
    textBlock(canvas, { x, y: r.y, w: widths[i]! - 1, h: top }, c.lines, 1, 1);
    x += widths[i]!;
  });
  let y = r.y + top;
  const diagnostics = [...state.diagnostics.entries()];
  const bottom = r.y + r.h;
  if (diagnostics.length > 0 && y + 2 < bottom) {
    hline(canvas, { x: r.x, y, w: r.w, h: 1 }, "Diagnostics");
    y++;
    for (const [id, message] of diagnostics) {
      if (y >= bottom - 2) break;
      canvas.line(r.x + 1, y++, [span(`■ (${id}) `), span(message, style(Color.red))], r.w - 2);
    }
  }
  if (y >= bottom) return;
  hline(canvas, { x: r.x, y, w: r.w, h: 1 }, logs.scroll > 0 ? `Logs (${logs.scroll} lines up)` : "Logs");
  y++;
  const height = bottom - y;
  const lines = logWindow(state, r.w - 2, height, logs.scroll);
  textBlock(canvas, { x: r.x, y, w: r.w, h: height }, lines, 0, 1);
}
