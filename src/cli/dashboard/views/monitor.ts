// The Monitor screen: CPU and memory gauges and figures, load and process counts, graphs of
// CPU, memory and load over time, network and disk sparklines, and the process table, sorted
// by CPU over the last interval or by resident memory (siderolabs/talos:
// internal/pkg/dashboard/monitor.go, components/{gauges,info,graphs,sparklines,tables}.go).
import type { ProcessInfo } from "../../../gen/machine/machine_pb.js";
import { bytesSI, formatGoDuration } from "../../../wire/index.js";
import type { NodeState } from "../model/node-state.js";
import { cpuUsage, memUsage } from "../model/stats.js";
import { type Canvas, Color, type Line, REVERSE, type Rect, span, split, style } from "../terminal/canvas.js";
import { BOLD_TEXT, computeSI, fixed, NO_DATA } from "./format.js";
import { braillePlot, gauge, sparkline, textBlock, truncate } from "./widgets.js";

export type ProcessSort = "cpu" | "mem";

export interface ProcessTableState {
  sort: ProcessSort;
  /** Index of the selected row among the processes. */
  selected: number;
  /** First process row shown. */
  offset: number;
}

/** Rows of the figures at the top of the screen. */
export const MONITOR_INFO_ROWS = 7;

function b(text: string): ReturnType<typeof span> {
  return span(text, BOLD_TEXT);
}

function cpuLines(state: NodeState): Line[] {
  const u = (n: Parameters<typeof cpuUsage>[1]) => `${fixed(cpuUsage(state.diff, n) * 100, 5, 1)}%`;
  const [ctx, suffix] = computeSI(state.diff?.contextSwitches ?? 0);
  return [
    [b("CPU")],
    [span("User   "), b(u("user")), span("  Nice   "), b(u("nice"))],
    [span("System "), b(u("system")), span("  IRQ    "), b(u("irq"))],
    [span("Idle   "), b(u("idle")), span("  Iowait "), b(u("iowait"))],
    [span("Steal  "), b(u("steal")), span("  CtxSw  "), b(`${fixed(ctx, 5, 1)}${suffix}`)],
  ];
}

function loadLines(state: NodeState): Line[] {
  const l = state.sample?.loadAvg;
  return [
    [b("LOAD")],
    [span("1 min  "), b(fixed(l?.load1 ?? 0, 6, 2))],
    [span("5 min  "), b(fixed(l?.load5 ?? 0, 6, 2))],
    [span("15 min "), b(fixed(l?.load15 ?? 0, 6, 2))],
  ];
}

function procsLines(state: NodeState): Line[] {
  const [created, suffix] = computeSI(state.diff?.processCreated ?? 0);
  const st = state.sample?.systemStat;
  return [
    [b("PROCS")],
    [span("Created "), b(`${fixed(created, 5, 1)}${suffix}`)],
    [span("Running "), b(String(st?.processRunning ?? 0n).padStart(5))],
    [span("Blocked "), b(String(st?.processBlocked ?? 0n).padStart(5))],
  ];
}

function memLines(state: NodeState): Line[] {
  const m = state.sample?.memory?.meminfo;
  const kb = (v: bigint | undefined) => bytesSI((v ?? 0n) << 10n).padStart(8);
  const used = m ? m.memtotal - m.memfree - m.cached - m.buffers : 0n;
  const swapped = m ? m.swaptotal - m.swapfree : 0n;
  return [
    [b("MEMORY")],
    [span("Total  "), b(kb(m?.memtotal)), span("  Buffers "), b(kb(m?.buffers))],
    [span("Used   "), b(kb(used)), span("  Cache   "), b(kb(m?.cached))],
    [span("Free   "), b(kb(m?.memfree)), span("  Avail   "), b(kb(m?.memavailable))],
    [span("Shared "), b(kb(m?.shmem)), span("  Swapped "), b(kb(swapped))],
  ];
}

function drawGauges(canvas: Canvas, r: Rect, state: NodeState): void {
  const inner = { x: r.x + 1, y: r.y + 1, w: r.w - 2, h: r.h - 3 };
  if (inner.h < 1 || inner.w < 1) return;
  const cpu = cpuUsage(state.diff, "usage") * 100;
  const mem = memUsage(state.sample?.memory) * 100;
  canvas.text(inner.x, inner.y, "CPU", style(Color.default, true), inner.w);
  if (inner.h > 1) gauge(canvas, { x: inner.x, y: inner.y + 1, w: inner.w, h: 1 }, cpu);
  if (inner.h > 2) canvas.text(inner.x, inner.y + 2, "MEM", style(Color.default, true), inner.w);
  if (inner.h > 3) gauge(canvas, { x: inner.x, y: inner.y + 3, w: inner.w, h: 1 }, mem);
}

function drawGraph(canvas: Canvas, r: Rect, label: string, data: (readonly number[])[]): void {
  if (r.h <= 0) return;
  const x = r.x + Math.max(0, Math.floor((r.w - label.length) / 2));
  canvas.text(x, r.y, label, style(Color.default, true), r.w);
  braillePlot(canvas, { x: r.x, y: r.y + 1, w: r.w, h: r.h - 1 }, data, [Color.red, Color.green]);
}

function drawSparks(
  canvas: Canvas,
  r: Rect,
  label: string,
  parts: readonly { name: string; data: readonly number[]; unit: (v: number) => string }[],
): void {
  if (r.h <= 0) return;
  canvas.text(r.x + 1, r.y, label, style(Color.default, true), r.w - 1);
  const heights = split(
    r.h - 1,
    parts.map(() => 1),
  );
  let y = r.y + 1;
  parts.forEach((p, i) => {
    const last = p.data.at(-1) ?? 0;
    sparkline(
      canvas,
      { x: r.x, y, w: r.w, h: heights[i]! },
      [span(p.name), span(` ${p.unit(last)}`, style(Color.gray))],
      p.data,
      i === 0 ? Color.red : Color.green,
    );
    y += heights[i]!;
  });
}

/** The command line shown for a process, as talosctl's table shows it. */
export function processCommand(p: ProcessInfo): string {
  let args: string;
  const first = p.args.trim().split(/\s+/)[0] ?? "";
  const exe = p.executable.trim().split(/\s+/)[0] ?? "";
  if (p.executable === "") args = p.command;
  else if (p.args !== "" && first === exe.slice(exe.lastIndexOf("/") + 1))
    args = p.args.replace(first, p.executable);
  else args = p.args;
  return args.replace(/[^\x20-\x7e]/g, " ");
}

export function sortedProcesses(state: NodeState, sort: ProcessSort): ProcessInfo[] {
  const list = [...(state.sample?.processes?.processes ?? [])];
  const cpu = state.diff?.procCpu;
  if (sort === "mem")
    list.sort((a, b) =>
      b.residentMemory > a.residentMemory ? 1 : b.residentMemory < a.residentMemory ? -1 : a.pid - b.pid,
    );
  else list.sort((a, b) => (cpu?.get(b.pid) ?? 0) - (cpu?.get(a.pid) ?? 0) || a.pid - b.pid);
  return list;
}

const COLUMNS = [
  { name: "PID", width: 7, right: true },
  { name: "S", width: 1, right: false },
  { name: "CPU%", width: 6, right: true },
  { name: "MEM%", width: 6, right: true },
  { name: "VIRT", width: 8, right: true },
  { name: "RES", width: 8, right: true },
  { name: "TIME+", width: 10, right: true },
  { name: "THR", width: 4, right: true },
] as const;

/** Rows the process table shows in a height (one is the header). */
export function processRows(height: number): number {
  return Math.max(0, height - 1);
}

/** Process rows the Monitor screen shows in a body height. */
export function processTableRows(bodyHeight: number): number {
  const rest = bodyHeight - Math.min(MONITOR_INFO_ROWS, bodyHeight);
  return processRows(split(rest, [1, 2])[1]!);
}

function drawProcessTable(canvas: Canvas, r: Rect, state: NodeState, table: ProcessTableState): void {
  const x0 = r.x + 1;
  const w = r.w - 1;
  if (w <= 0 || r.h <= 0) return;
  const cell = (values: readonly string[]): string => {
    let out = "";
    COLUMNS.forEach((c, i) => {
      const v = truncate(values[i] ?? "", c.width);
      out += `${c.right ? v.padStart(c.width) : v.padEnd(c.width)} `;
    });
    return out + (values[COLUMNS.length] ?? "");
  };
  const header = COLUMNS.map((c) =>
    (c.name === "CPU%" && table.sort === "cpu") || (c.name === "MEM%" && table.sort === "mem")
      ? `${c.name.slice(0, -1)}▼`
      : c.name,
  );
  canvas.text(x0, r.y, cell([...header, "COMMAND"]), style(Color.default, true), w);
  const processes = sortedProcesses(state, table.sort);
  if (processes.length === 0) {
    canvas.text(x0 + Math.floor(w / 2) - 1, r.y + 1, NO_DATA, 0, w);
    return;
  }
  const totalMem = Number(state.sample?.memory?.meminfo?.memtotal ?? 0n) * 1024 || 1;
  const cpus = state.sample?.cpuInfo?.cpuInfo.length ?? 0;
  const weighted = cpuUsage(state.diff, "totalWeighted", cpus) || 1;
  const rows = processRows(r.h);
  for (let i = 0; i < rows && table.offset + i < processes.length; i++) {
    const index = table.offset + i;
    const p = processes[index]!;
    const line = cell([
      String(p.pid),
      p.state,
      (((state.diff?.procCpu.get(p.pid) ?? 0) / weighted) * 100).toFixed(1),
      ((Number(p.residentMemory) / totalMem) * 100).toFixed(1),
      bytesSI(p.virtualMemory),
      bytesSI(p.residentMemory),
      formatGoDuration(BigInt(Math.trunc(p.cpuTime)) * 1_000_000_000n),
      String(p.threads),
      processCommand(p),
    ]);
    const selected = index === table.selected;
    canvas.text(x0, r.y + 1 + i, line.padEnd(w), selected ? REVERSE : 0, w);
  }
}

export function drawMonitor(canvas: Canvas, r: Rect, state: NodeState, table: ProcessTableState): void {
  const infoH = Math.min(MONITOR_INFO_ROWS, r.h);
  const rest = r.h - infoH;
  const [graphH, bottomH] = split(rest, [1, 2]) as [number, number];
  // Figures.
  const infoW = split(r.w, [1, 2, 1, 1, 2]);
  let x = r.x;
  const blocks: ((rect: Rect) => void)[] = [
    (rect) => drawGauges(canvas, rect, state),
    (rect) => textBlock(canvas, rect, cpuLines(state), 1, 1),
    (rect) => textBlock(canvas, rect, loadLines(state), 1, 1),
    (rect) => textBlock(canvas, rect, procsLines(state), 1, 1),
    (rect) => textBlock(canvas, rect, memLines(state), 1, 1),
  ];
  blocks.forEach((draw, i) => {
    draw({ x, y: r.y, w: infoW[i]!, h: infoH });
    x += infoW[i]!;
  });
  // Graphs.
  const gy = r.y + infoH;
  const graphW = split(r.w, [1, 1, 1]);
  const series = (name: Parameters<typeof state.series.get>[0]) => state.series.get(name) ?? [];
  drawGraph(canvas, { x: r.x, y: gy, w: graphW[0]! - 1, h: graphH }, "CPU USER/SYSTEM", [
    series("user"),
    series("system"),
  ]);
  drawGraph(canvas, { x: r.x + graphW[0]!, y: gy, w: graphW[1]! - 1, h: graphH }, "MEM USED", [
    series("mem"),
  ]);
  drawGraph(canvas, { x: r.x + graphW[0]! + graphW[1]!, y: gy, w: graphW[2]!, h: graphH }, "LOAD AVG 60sec", [
    series("loadavg"),
  ]);
  // Sparklines and processes.
  const by = gy + graphH;
  const [leftW, rightW] = split(r.w, [1, 3]) as [number, number];
  const [netH, diskH] = split(bottomH, [1, 1]) as [number, number];
  const bytes = (v: number) => bytesSI(Math.round(v));
  const sectors = (v: number) => bytesSI(Math.round(v) * 512);
  drawSparks(canvas, { x: r.x, y: by, w: leftW - 1, h: netH }, "NET", [
    { name: "RX", data: series("netrxbytes"), unit: bytes },
    { name: "TX", data: series("nettxbytes"), unit: bytes },
  ]);
  drawSparks(canvas, { x: r.x, y: by + netH, w: leftW - 1, h: diskH }, "DISK", [
    { name: "READ", data: series("diskrdsectors"), unit: sectors },
    { name: "WRITE", data: series("diskwrsectors"), unit: sectors },
  ]);
  drawProcessTable(canvas, { x: r.x + leftW, y: by, w: rightW, h: bottomH }, state, table);
}
