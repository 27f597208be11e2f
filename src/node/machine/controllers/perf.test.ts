import { describe, expect, it } from "vitest";
import { createClock } from "../../clock.js";
import { CPU_COUNT, Hardware, MEM_TOTAL_KB } from "../../platform/index.js";
import { ControllerRuntime, NS, ResourceStore } from "../../resources/index.js";
import { CPU_STATS, MEMORY_STATS, memorySpec, PERF_CONTROLLERS, perfTicker } from "./perf.js";
import { INPUT, type MachineSource } from "./source.js";

describe("perf statistics", () => {
  it("MemoryStats carries /proc/meminfo's fields, with used = total - free", () => {
    const info = new Hardware(new Date(0), []).memory(new Date(60_000), 0.5);
    const m = memorySpec(info);
    expect(m.memTotal).toBe(BigInt(MEM_TOTAL_KB));
    expect(m.memUsed).toBe(BigInt(info.memtotal! - info.memfree!));
    expect(m.memAvailable).toBe(BigInt(info.memavailable!));
    expect(m.sReclaimable).toBe(BigInt(info.sreclaimable!));
    expect(m.directMap2m).toBe(BigInt(info.directmap2m!));
    expect(m.hugepagesize).toBe(2048n);
  });

  it("CPUStats and MemoryStats follow the emulated kernel and move on at each interval", () => {
    const boot = new Date(Date.UTC(2026, 0, 1));
    let now = new Date(boot.getTime() + 10_000);
    const hardware = new Hardware(boot, []);
    const source = { hardware, now: () => now, load: () => 0.25 } as unknown as MachineSource;
    const store = ResourceStore.forNode(createClock());
    const rt = new ControllerRuntime(store, source, PERF_CONTROLLERS);
    rt.start();
    const cpu = () => store.get(NS.perf, CPU_STATS.definition.type, "latest")!;
    const first = cpu();
    const spec = first.spec as { cpu: unknown[]; cpuTotal: { user: number }; contextSwitches: bigint };
    const expected = hardware.stat(now, 0.25);
    expect(spec.cpu).toHaveLength(CPU_COUNT);
    expect(spec.cpuTotal.user).toBeCloseTo(expected.cpuTotal.user);
    expect(spec.contextSwitches).toBe(BigInt(expected.contextSwitches));
    const version = first.version;
    now = new Date(now.getTime() + 30_000);
    rt.changed(INPUT.perf);
    expect(cpu().version).toBeGreaterThan(version);
    expect((cpu().spec as { contextSwitches: bigint }).contextSwitches).toBe(
      BigInt(hardware.stat(now, 0.25).contextSwitches),
    );
    const mem = store.get(NS.perf, MEMORY_STATS.definition.type, "latest")!;
    expect((mem.spec as { memTotal: bigint }).memTotal).toBe(BigInt(MEM_TOTAL_KB));
    rt.close();
  });

  it("refreshes each interval while watched, unwatched at most once per interval of real time", async () => {
    const clock = createClock(30_000);
    const store = ResourceStore.forNode(clock);
    const at: number[] = [];
    const started = Date.now();
    const timer = perfTicker(clock, store, () => at.push(Date.now() - started));
    const waitFor = (n: number) =>
      new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (at.length >= n) {
            clearInterval(check);
            resolve();
          }
        }, 50);
      });
    // Unwatched: the 1 s machine interval (30 s scaled) passes several times, nothing is read.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(at).toEqual([]);
    const unwatch = store.watch({ namespace: NS.perf, type: CPU_STATS.definition.type }, () => undefined);
    await waitFor(2);
    expect(at[0]).toBeGreaterThanOrEqual(2_500);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(900);
    unwatch();
    timer.cancel();
    const count = at.length;
    await new Promise((r) => setTimeout(r, 1_200));
    expect(at.length).toBe(count);
  });
});
