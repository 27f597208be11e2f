import { describe, expect, it } from "vitest";
import {
  type ClusterView,
  HEALTH_CHECKS,
  HealthCheckFailure,
  type NodeView,
  runHealthChecks,
  updateLine,
} from "./checks.js";

function node(name: string, overrides: Partial<NodeView> = {}): NodeView {
  const up = { state: "Running", healthy: true };
  return {
    node: name,
    hostname: `host-${name}`,
    stage: "running",
    services: { apid: up, etcd: up, kubelet: up },
    memoryBytes: 4 * 2 ** 30,
    diskBytes: 10 * 2 ** 30,
    kubernetesReady: true,
    staticPods: true,
    ...overrides,
  };
}

const healthy = (): ClusterView => ({
  controlPlanes: [node("10.0.0.2", { etcdMembers: ["host-10.0.0.2"] })],
  workers: [node("10.0.0.3")],
});

describe("health checks", () => {
  it("all pass on a healthy cluster, in Talos's order", async () => {
    const lines: string[] = [];
    await runHealthChecks({
      view: async () => healthy(),
      report: (u) => {
        lines.push(updateLine(u));
      },
      deadline: Date.now() + 1_000,
      intervalMs: 1,
    });
    expect(lines.filter((l) => !l.endsWith(": ..."))).toEqual(
      HEALTH_CHECKS.map((c) => `waiting for ${c.name}: OK`),
    );
  });

  it("name the node and the reason a check fails", () => {
    const view = healthy();
    const down: ClusterView = {
      ...view,
      controlPlanes: [node("10.0.0.2", { services: { etcd: { state: "Preparing", healthy: false } } })],
    };
    const etcd = HEALTH_CHECKS.find((c) => c.name === "etcd to be healthy")!;
    expect(etcd.run(down)).toEqual({
      ok: false,
      error: '10.0.0.2: service "etcd" not in expected state "Running": current state [Preparing]',
    });
    const members = HEALTH_CHECKS.find((c) => c.name === "etcd members to be control plane nodes")!;
    expect(members.run({ ...view, controlPlanes: [node("10.0.0.2", { etcdMembers: [] })] })).toEqual({
      ok: false,
      error: "etcd member count mismatch: expected 1, got 0",
    });
  });

  it("stop at the first check that does not pass before the deadline", async () => {
    const lines: string[] = [];
    const broken: ClusterView = {
      ...healthy(),
      workers: [node("10.0.0.3", { error: "connection refused" })],
    };
    const run = runHealthChecks({
      view: async () => broken,
      report: (u) => {
        lines.push(updateLine(u));
      },
      deadline: Date.now() + 50,
      intervalMs: 10,
    });
    await expect(run).rejects.toBeInstanceOf(HealthCheckFailure);
    await expect(run).rejects.toMatchObject({
      check: "apid to be ready",
      code: "deadline-exceeded",
      message: "waiting for apid to be ready: timed out; last error: 10.0.0.3: connection refused",
    });
    expect(lines.at(-1)).toBe("waiting for apid to be ready: 10.0.0.3: connection refused");
  });
});
