// Which affiliates a node shows by its discovery config, which KubeSpan peers answer, and the
// registry keeping the record of a node that went down until it expires.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type DiscoverySettings, reachableKubeSpanKeys, visibleAffiliates } from "./discovery.js";
import { type AffiliateRecord, ClusterRegistry } from "./registry.js";

const status = (kubernetesReady: boolean): AffiliateRecord["status"] => ({
  stage: "running",
  ready: true,
  services: {},
  memoryBytes: 0,
  diskBytes: 0,
  kubernetesReady,
  staticPods: false,
});

const record = (
  nodeId: string,
  registries: { service: boolean; kubernetes: boolean },
  extra: Partial<AffiliateRecord> = {},
): AffiliateRecord => ({
  nodeId,
  hostname: `host-${nodeId}`,
  addresses: ["127.0.0.2"],
  machineType: "worker",
  operatingSystem: "Talos (v1.14.0)",
  pid: process.pid,
  status: status(true),
  registries,
  ...extra,
});

const on = (service: boolean, kubernetes: boolean): DiscoverySettings => ({
  enabled: true,
  service,
  kubernetes,
});

describe("visible affiliates", () => {
  const self = record("a", { service: true, kubernetes: false });
  const svc = record("b", { service: true, kubernetes: false });
  const k8s = record("c", { service: false, kubernetes: true });

  it("shows none with discovery disabled, not even the node's own", () => {
    expect(
      visibleAffiliates({ enabled: false, service: false, kubernetes: false }, "a", {
        live: [self, svc],
        departed: [],
      }),
    ).toEqual([]);
    expect(visibleAffiliates(undefined, "a", { live: [self, svc], departed: [] })).toEqual([]);
  });

  it("shows only the node's own with no registry enabled", () => {
    const ids = visibleAffiliates(on(false, false), "a", { live: [self, svc, k8s], departed: [] }).map(
      (r) => r.nodeId,
    );
    expect(ids).toEqual(["a"]);
  });

  it("shows the others that publish to a registry the node reads", () => {
    const ids = (s: DiscoverySettings) =>
      visibleAffiliates(s, "a", { live: [self, svc, k8s], departed: [] }).map((r) => r.nodeId);
    expect(ids(on(true, false))).toEqual(["a", "b"]);
    expect(ids(on(false, true))).toEqual(["a", "c"]);
    expect(ids(on(true, true))).toEqual(["a", "b", "c"]);
    // The Kubernetes registry carries a node once it registered with Kubernetes.
    const unregistered = { ...k8s, status: status(false) };
    expect(
      visibleAffiliates(on(false, true), "a", { live: [self, unregistered], departed: [] }).map(
        (r) => r.nodeId,
      ),
    ).toEqual(["a"]);
  });

  it("keeps showing a node that went down, and counts only running KubeSpan nodes as reachable", () => {
    const ks = {
      publicKey: "KEY",
      address: "fd00::1",
      additionalAddresses: [],
      endpoints: [],
      excludeAdvertisedNetworks: [],
    };
    const down = record("d", { service: true, kubernetes: false }, { kubespan: ks });
    const up = record("e", { service: true, kubernetes: false }, { kubespan: { ...ks, publicKey: "UP" } });
    const shown = visibleAffiliates(on(true, false), "a", { live: [self, up], departed: [down] });
    expect(shown.map((r) => r.nodeId)).toEqual(["a", "d", "e"]);
    expect([...reachableKubeSpanKeys("a", [self, up])]).toEqual(["UP"]);
  });
});

describe("registry", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });

  it("keeps a departed node's record until it expires, and drops it on a new publish", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "talos-registry-"));
    dirs.push(root);
    const registry = new ClusterRegistry(root, "cluster-id");
    registry.publish(record("a", { service: true, kubernetes: false }));
    registry.publish(record("b", { service: true, kubernetes: false }));
    registry.withdraw("b", 60_000);
    expect(registry.affiliates().map((r) => r.nodeId)).toEqual(["a"]);
    expect(registry.discovered().departed.map((r) => r.nodeId)).toEqual(["b"]);
    registry.publish(record("b", { service: true, kubernetes: false }));
    expect(registry.discovered().departed).toEqual([]);
    expect(registry.affiliates().map((r) => r.nodeId)).toEqual(["a", "b"]);
    // Withdrawn without a TTL (a reset): gone at once.
    registry.withdraw("b");
    expect(registry.discovered()).toMatchObject({ live: [{ nodeId: "a" }], departed: [] });
  });

  it("sees a record another process writes, and keeps unchanged records and the generation across reads", async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "talos-registry-"));
    dirs.push(root);
    const registry = new ClusterRegistry(root, "cluster-id");
    registry.publish(record("a", { service: true, kubernetes: false }));
    const first = registry.discovered();
    // Written beside it, as a node of another process does.
    const other = record("c", { service: true, kubernetes: false });
    fs.writeFileSync(path.join(registry.dir, "affiliates", "c.json"), JSON.stringify(other));
    await vi.waitFor(() => expect(registry.affiliates().map((r) => r.nodeId)).toEqual(["a", "c"]), {
      timeout: 10_000,
    });
    const second = registry.discovered();
    expect(second.generation).toBeGreaterThan(first.generation);
    expect(second.live[0]).toBe(first.live[0]);
    // Re-read with nothing changed: the same objects, the same generation.
    await new Promise((r) => setTimeout(r, 250));
    const third = registry.discovered();
    expect(third.generation).toBe(second.generation);
    expect(third.live).toEqual(second.live);
    expect(third.live.every((r, i) => r === second.live[i])).toBe(true);
    // A record replaced with other content (written aside and renamed over, as nodes do) is a
    // new object and a new generation.
    const aside = path.join(registry.dir, "affiliates", ".c.json.tmp");
    fs.writeFileSync(aside, JSON.stringify({ ...other, hostname: "zz" }));
    fs.renameSync(aside, path.join(registry.dir, "affiliates", "c.json"));
    await vi.waitFor(() => expect(registry.affiliates().map((r) => r.hostname)).toEqual(["host-a", "zz"]), {
      timeout: 10_000,
    });
    expect(registry.discovered().generation).toBeGreaterThan(third.generation);
  });
});
