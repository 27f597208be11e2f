import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import {
  CPUStatSchema,
  MemInfoSchema,
  MemorySchema,
  SystemStatSchema,
} from "../../../gen/machine/machine_pb.js";
import { sortNodes } from "../app.js";
import { NodeState } from "../model/node-state.js";
import { cpuUsage, memUsage } from "../model/stats.js";
import { WATCHED } from "../sources/resources.js";
import { Canvas } from "../terminal/canvas.js";
import { drawFooter, nodeWindow } from "./footer.js";
import { computeSI, cpuFrequency, formatUptime } from "./format.js";
import { headerLine } from "./header.js";
import { kubernetesVersion, summaryColumns } from "./summary.js";

describe("formats", () => {
  it("writes uptime as Go durations with days in front", () => {
    expect(formatUptime(0)).toBe("0s");
    expect(formatUptime(3725.4)).toBe("1h2m5s");
    expect(formatUptime(2 * 86400 + 5)).toBe("2d5s");
    expect(formatUptime(86400 + 3600)).toBe("1d1h0m0s");
  });

  it("writes CPU frequencies and SI counts as go-humanize does", () => {
    // Go rounds 2.445*100 (244.49999...) down, as this does.
    expect(cpuFrequency(2445.406)).toBe("2.44GHz");
    expect(cpuFrequency(2455.1)).toBe("2.46GHz");
    expect(cpuFrequency(800.4)).toBe("800MHz");
    expect(cpuFrequency(3000)).toBe("3GHz");
    expect(computeSI(1830)).toEqual([1.83, "k"]);
    expect(computeSI(0)).toEqual([0, ""]);
  });

  it("reads the Kubernetes version from a kubelet image", () => {
    expect(kubernetesVersion("ghcr.io/siderolabs/kubelet:v1.37.0")).toBe("v1.37.0");
    expect(kubernetesVersion("registry:5000/kubelet:v1.36.1@sha256:abcd")).toBe("v1.36.1");
    expect(kubernetesVersion("kubelet:latest")).toBeUndefined();
  });
});

describe("sortNodes", () => {
  it("puts IP addresses first, by address, then names, without duplicates", () => {
    expect(sortNodes(["node-b", "10.5.0.10", "10.5.0.9", "fd00::1", "node-a", "10.5.0.9"])).toEqual([
      "10.5.0.9",
      "10.5.0.10",
      "fd00::1",
      "node-a",
      "node-b",
    ]);
  });
});

describe("footer", () => {
  it("windows the nodes around the selected one and keeps the screens whole", () => {
    const names = Array.from({ length: 10 }, (_, i) => `10.0.0.${i + 1}`);
    const [start, end] = nodeWindow(names, 7, 40);
    expect(start).toBeLessThanOrEqual(7);
    expect(end).toBeGreaterThan(7);
    const c = new Canvas(80, 1);
    drawFooter(
      c,
      { x: 0, y: 0, w: 80, h: 1 },
      {
        nodes: names,
        selected: 7,
        screens: [
          { key: "F1", name: "Summary" },
          { key: "F2", name: "Monitor" },
        ],
        screen: "Summary",
        paused: true,
      },
    );
    const row = c.rows()[0]!;
    expect(row).toContain("10.0.0.8");
    expect(row).toMatch(/^\[‹ .*10\.0\.0\.10\] --- \[Summary\] --- \[F2: Monitor\] --- \[PAUSED\]/);
  });
});

function applyAll(state: NodeState, type: string, id: string, spec: unknown): void {
  for (const w of WATCHED) if (w.type === type) w.apply(state, id, spec);
}

describe("node state from resources and polls", () => {
  it("fills the summary's fields, and empties them when a resource goes", () => {
    const s = new NodeState("10.5.0.2");
    applyAll(s, "MachineStatuses.runtime.talos.dev", "machine", {
      stage: "running",
      status: { ready: false, unmetConditions: [{ name: "services", reason: "etcd not healthy" }] },
    });
    applyAll(s, "MachineTypes.config.talos.dev", "machine-type", "controlplane");
    applyAll(s, "Members.cluster.talos.dev", "cp-1", {
      hostname: "cp-1",
      addresses: ["10.5.0.2"],
      machineType: "controlplane",
    });
    applyAll(s, "RouteStatuses.net.talos.dev", "r1", { destination: "", gateway: "10.5.0.1" });
    applyAll(s, "RouteStatuses.net.talos.dev", "r2", { destination: "10.5.0.0/24", gateway: "" });
    applyAll(s, "NodeAddresses.net.talos.dev", "routed", { addresses: ["10.5.0.2/24"] });
    applyAll(s, "ResolverStatuses.net.talos.dev", "resolvers", { dnsServers: [] });
    applyAll(s, "Services.v1alpha1.talos.dev", "etcd", { running: true, healthy: false, unknown: false });
    const text = summaryColumns(s)
      .map((c) => c.lines.map((l) => l.map((sp) => sp.text).join("")).join("\n"))
      .join("\n");
    expect(text).toContain("STAGE      √ Running");
    expect(text).toContain("READY      × False (services: etcd not healthy)");
    expect(text).toContain("CLUSTER    n/a (1 machine)");
    expect(text).toContain("ETCD               × Unhealthy");
    expect(text).toContain("GW           10.5.0.1");
    expect(text).toContain("IP           10.5.0.2/24");
    expect(text).toContain("DNS          <none>");
    expect(text).toContain("NTP          n/a");
    applyAll(s, "MachineStatuses.runtime.talos.dev", "machine", undefined);
    applyAll(s, "Members.cluster.talos.dev", "cp-1", undefined);
    const after = summaryColumns(s)
      .map((c) => c.lines.map((l) => l.map((sp) => sp.text).join("")).join("\n"))
      .join("\n");
    expect(after).toContain("STAGE      n/a");
    expect(after).toContain("CLUSTER    n/a n/a");
  });

  it("computes CPU and memory use from two polls, and the header from them", () => {
    const s = new NodeState("10.5.0.2");
    const stat = (user: number, idle: number) =>
      create(SystemStatSchema, { bootTime: 1_000n, cpuTotal: create(CPUStatSchema, { user, idle }) });
    const memory = create(MemorySchema, {
      meminfo: create(MemInfoSchema, {
        memtotal: 4_000_000n,
        memfree: 1_000_000n,
        cached: 500_000n,
        buffers: 500_000n,
      }),
    });
    s.addSample({ at: 0, systemStat: stat(10, 90), memory });
    s.addSample({ at: 1, systemStat: stat(40, 160), memory });
    expect(cpuUsage(s.diff, "usage")).toBeCloseTo(0.3);
    expect(memUsage(memory)).toBeCloseTo(0.5);
    expect(s.series.get("mem")).toEqual([0.5, 0.5]);
    s.hostname = "cp-1";
    s.version = "v1.14.0";
    const header = headerLine(s, 0, 1_000_000 + 3_723_000)
      .map((x) => x.text)
      .join("");
    expect(header).toBe(
      "┐ cp-1 Talos (v1.14.0): uptime 1h2m3s, n/a, 3.8 GiB RAM, PROCS n/a, CPU 30.0%, RAM 50.0%",
    );
    s.setDown("connection refused");
    expect(
      headerLine(s, 0, 0)
        .map((x) => x.text)
        .join(""),
    ).toBe("× cp-1 unreachable: connection refused");
  });

  it("counts from zero again after a reboot instead of going negative", () => {
    const s = new NodeState("n");
    s.addSample({ at: 0, systemStat: create(SystemStatSchema, { bootTime: 1n, contextSwitches: 1_000n }) });
    s.addSample({ at: 1, systemStat: create(SystemStatSchema, { bootTime: 2n, contextSwitches: 10n }) });
    expect(s.diff?.contextSwitches).toBe(10);
    expect(s.diff?.cpu).toBeUndefined();
  });
});
