// The top line: the selected node's host, OS version, uptime, CPUs, memory, process count and
// current CPU and memory use (siderolabs/talos: internal/pkg/dashboard/components/header.go),
// and, when it cannot be reached, why.
import { bytesIEC } from "../../../wire/index.js";
import type { NodeState } from "../model/node-state.js";
import { cpuUsage, memUsage } from "../model/stats.js";
import { Color, type Line, span, style } from "../terminal/canvas.js";
import { cpuFrequency, formatUptime, NOT_AVAILABLE } from "./format.js";

/** Corner characters the Linux console can draw (CP437), turned as the spinner. */
export const SPINNER = ["┐", "┘", "└", "┌"];

function cpus(state: NodeState): string {
  const freq = state.sample?.cpuFreq?.cpuFreqStats;
  if (freq && freq.length > 0) {
    const counts = new Map<bigint, number>();
    for (const f of freq)
      if (f.currentFrequency !== 0n)
        counts.set(f.currentFrequency, (counts.get(f.currentFrequency) ?? 0) + 1);
    const keys = [...counts.keys()].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0));
    if (keys.length > 0)
      return keys.map((k) => `${counts.get(k)}x${cpuFrequency(Number(k) / 1000)}`).join(" ");
  }
  const info = state.sample?.cpuInfo?.cpuInfo;
  if (info && info.length > 0) return `${info.length}x${cpuFrequency(info[0]!.cpuMhz)}`;
  return NOT_AVAILABLE;
}

export function headerLine(state: NodeState | undefined, spinner: number, nowMs: number): Line {
  if (!state) return [span("...")];
  const s = state.sample;
  const bootTime = s?.systemStat?.bootTime ?? 0n;
  const uptime = bootTime !== 0n ? formatUptime(nowMs / 1000 - Number(bootTime)) : NOT_AVAILABLE;
  const memTotal = s?.memory?.meminfo?.memtotal;
  const cpuCount = s?.cpuInfo?.cpuInfo.length ?? 0;
  const line: Line = [
    span(`${SPINNER[spinner % SPINNER.length]} `, style(Color.green)),
    span(state.hostname ?? NOT_AVAILABLE, style(Color.yellow, true)),
    span(
      ` ${state.osName ?? "Talos"} (${state.version ?? NOT_AVAILABLE}): uptime ${uptime}, ${cpus(state)}, ${
        memTotal !== undefined ? bytesIEC(memTotal << 10n) : NOT_AVAILABLE
      } RAM, PROCS ${s?.processes ? s.processes.processes.length : NOT_AVAILABLE}, CPU ${
        s ? `${(cpuUsage(state.diff, "usage", cpuCount) * 100).toFixed(1)}%` : NOT_AVAILABLE
      }, RAM ${s ? `${(memUsage(s.memory) * 100).toFixed(1)}%` : NOT_AVAILABLE}`,
    ),
  ];
  if (state.reachability === "down") {
    return [
      span("× ", style(Color.red)),
      span(state.hostname ?? state.name, style(Color.yellow, true)),
      span(` unreachable: ${state.downReason}`, style(Color.red)),
    ];
  }
  return line;
}
