// talosctl's Kubernetes work through the emulated API of a local cluster (a control plane and two
// workers installed on their disks, so that `upgrade` can run): `health --server=false` runs its
// Kubernetes checks against the API, `support` collects the Kubernetes objects and pod logs,
// `reboot --drain` cordons a worker, evicts its pods with a PodDisruptionBudget respected,
// reboots it and uncordons it once its Node is Ready; `upgrade` drains by default; without a
// reachable API an explicit drain is refused and upgrade's default one skipped with a warning.
import fs from "node:fs";
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { tempDir } from "./helpers/cli.js";
import { createLocalCluster, type LocalCluster } from "./helpers/local-cluster.js";
import { eventually } from "./helpers/node.js";
import { readZip } from "./helpers/zip.js";

const INSTALLER = "ghcr.io/siderolabs/installer:v1.14.0";

let c: LocalCluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let policy: k8s.PolicyV1Api;

const isReady = (n: k8s.V1Node): boolean =>
  n.status?.conditions?.find((x) => x.type === "Ready")?.status === "True";

beforeAll(async () => {
  const patches = tempDir("talos-drain-patch-");
  const install = path.join(patches, "install.yaml");
  fs.writeFileSync(
    install,
    [
      "apiVersion: v1alpha1",
      "kind: UnattendedInstallConfig",
      "installer:",
      `  image: ${INSTALLER}`,
      "provisioning:",
      "  diskSelector:",
      '    match: disk.dev_path == "/dev/sda"',
      "",
    ].join("\n"),
  );
  c = await createLocalCluster({
    name: "drain",
    controlplanes: 1,
    workers: 2,
    args: ["--config-patch-worker", `@${install}`],
  });
  expect({ code: c.created.code, stderr: c.created.stderr.split("\n").slice(-3) }).toMatchObject({ code: 0 });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(path.join(c.home, ".kube", "config"));
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  policy = kc.makeApiClient(k8s.PolicyV1Api);
  await eventually(async () => {
    const list = await core.listNode();
    if (list.items.filter(isReady).length !== 3) throw new Error("not every node is Ready");
  }, 30_000);
}, 120_000);

afterAll(async () => {
  await c?.destroy();
});

describe("health --server=false", () => {
  it("runs talosctl's checks from here, the Kubernetes ones against the Kubernetes API", async () => {
    const r = await c.talosctl(["-n", c.ips[0]!, "health", "--server=false", "--wait-timeout", "60s"]);
    expect({ code: r.code, stderr: r.stderr.split("\n").slice(-3) }).toMatchObject({ code: 0 });
    const passed = r.stderr
      .split("\n")
      .filter((l) => l.endsWith(": OK") || l.endsWith(": SKIP"))
      .map((l) => l.replace(/^waiting for /, ""));
    expect(passed).toEqual([
      "etcd to be healthy: OK",
      "etcd members to be consistent across nodes: OK",
      "etcd members to be control plane nodes: OK",
      "apid to be ready: OK",
      "all nodes memory sizes: OK",
      "all nodes disk sizes: OK",
      "no diagnostics: OK",
      "kubelet to be healthy: OK",
      "all nodes to finish boot sequence: OK",
      "all k8s nodes to report: OK",
      "all control plane static pods to be running: OK",
      "all control plane components to be ready: OK",
      "all k8s nodes to report ready: OK",
      "kube-proxy to report ready: OK",
      "coredns to report ready: OK",
      "all k8s nodes to report schedulable: OK",
    ]);
    expect(r.stderr.split("\n")[0]).toBe(
      `discovered nodes: [${c.ips.map((ip) => JSON.stringify(ip)).join(" ")}]`,
    );
  }, 90_000);

  it("reports a cordoned node as talosctl does", async () => {
    await core.patchNode(
      { name: "drain-worker-1", body: { spec: { unschedulable: true } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    try {
      const r = await c.talosctl(["-n", c.ips[0]!, "health", "--server=false", "--wait-timeout", "20s"]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split("\n").at(-1)).toBe(
        "healthcheck error: waiting for all k8s nodes to report schedulable: timed out; last error: some nodes are not schedulable: [drain-worker-1]",
      );
    } finally {
      await core.patchNode(
        { name: "drain-worker-1", body: { spec: { unschedulable: null } } },
        k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
      );
    }
  }, 60_000);
});

describe("support", () => {
  it("collects the Kubernetes nodes, the kube-system pods and the pods' logs", async () => {
    const out = path.join(tempDir("talos-drain-support-"), "bundle.zip");
    const r = await c.talosctl([
      "-n",
      `${c.ips[0]},${c.ips[1]}`,
      "support",
      "--no-encryption",
      "-O",
      out,
      "-w",
      "4",
    ]);
    expect({ code: r.code, last: r.stderr.trim().split("\n").at(-1) }).toEqual({
      code: 0,
      last: `Support bundle is written to ${out}`,
    });
    const files = readZip(fs.readFileSync(out));
    const nodes = parseYaml(files.get("kubernetesResources/nodes.yaml")!.toString("utf8"));
    expect(nodes.items.map((n: { metadata: { name: string } }) => n.metadata.name).sort()).toEqual([
      "drain-controlplane-1",
      "drain-worker-1",
      "drain-worker-2",
    ]);
    const pods = parseYaml(files.get("kubernetesResources/systemPods.yaml")!.toString("utf8"));
    const names: string[] = pods.items.map((p: { metadata: { name: string } }) => p.metadata.name);
    expect(names).toContain("kube-apiserver-drain-controlplane-1");
    expect(names.some((n) => n.startsWith("coredns-"))).toBe(true);
    expect(files.get(`${c.ips[0]}/kubernetes-logs/kube-system/kube-apiserver.log`)?.length).toBeGreaterThan(
      0,
    );
  }, 60_000);
});

describe("reboot --drain", () => {
  it("stops at a PodDisruptionBudget that allows no eviction; within one, drains, reboots and uncordons the worker", async () => {
    const worker = "drain-worker-1";
    // Both replicas on worker 1: the other worker is cordoned while they are scheduled.
    await core.patchNode(
      { name: "drain-worker-2", body: { spec: { unschedulable: true } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await apps.createNamespacedDeployment({
      namespace: "default",
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "nginx" }] },
          },
        },
      },
    });
    await policy.createNamespacedPodDisruptionBudget({
      namespace: "default",
      body: {
        metadata: { name: "web" },
        spec: { minAvailable: 2, selector: { matchLabels: { app: "web" } } },
      },
    });
    await eventually(async () => {
      const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=web" });
      const ready = pods.items.filter(
        (p) =>
          p.spec?.nodeName === worker &&
          p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True"),
      );
      if (ready.length !== 2) throw new Error(`web pods ready on ${worker}: ${ready.length}`);
    }, 30_000);
    await core.patchNode(
      { name: "drain-worker-2", body: { spec: { unschedulable: null } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );

    // The budget allows no eviction: the drain gives up at its timeout, and nothing reboots.
    await eventually(async () => {
      const pdb = await policy.readNamespacedPodDisruptionBudget({ name: "web", namespace: "default" });
      const st = pdb.status;
      if (st?.disruptionsAllowed !== 0 || st.currentHealthy !== 2 || st.expectedPods !== 2)
        throw new Error(`budget status: ${JSON.stringify(st)}`);
    }, 15_000);
    const bootId = (await core.readNode({ name: worker })).status!.nodeInfo!.bootID;
    const refused = await c.talosctl(["-n", c.ips[1]!, "reboot", "--drain", "--drain-timeout", "3s"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      new RegExp(
        `^${worker}: error when evicting pods/"web-[^"]+" -n "default" \\(will retry after 5s\\): Cannot evict pod as it would violate the pod's disruption budget\\.$`,
        "m",
      ),
    );
    expect(refused.stderr.trim().split("\n").at(-1)).toBe(
      `error draining nodes: error draining node "${worker}": drain did not complete within 3s`,
    );
    expect(refused.stderr).not.toContain("post check passed");
    const held = await core.readNode({ name: worker });
    expect(held.status!.nodeInfo!.bootID).toBe(bootId);
    // As talosctl, a failed drain leaves the node cordoned.
    expect(held.spec?.unschedulable).toBe(true);
    const still = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=web" });
    expect(still.items.map((p) => p.spec?.nodeName)).toEqual([worker, worker]);
    await policy.patchNamespacedPodDisruptionBudget(
      { name: "web", namespace: "default", body: { spec: { minAvailable: 1 } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );

    // What the API shows of the worker while the command runs, and how many web pods are
    // available (Ready) at each change: never fewer than the budget's minimum.
    const seen: string[] = [];
    let fewestAvailable = 2;
    const nodeWatch = await new k8s.Watch(kc).watch(
      "/api/v1/nodes",
      { fieldSelector: `metadata.name=${worker}` },
      (_type, n: k8s.V1Node) => {
        const state = `${n.spec?.unschedulable ? "cordoned" : "schedulable"},${isReady(n) ? "Ready" : "NotReady"}`;
        if (seen.at(-1) !== state) seen.push(state);
      },
      () => undefined,
    );
    const readyPods = new Map<string, boolean>();
    const podWatch = await new k8s.Watch(kc).watch(
      "/api/v1/namespaces/default/pods",
      { labelSelector: "app=web" },
      (type, p: k8s.V1Pod) => {
        const ready =
          type !== "DELETED" &&
          p.metadata?.deletionTimestamp === undefined &&
          p.status?.conditions?.some((x) => x.type === "Ready" && x.status === "True") === true;
        readyPods.set(p.metadata!.name!, ready);
        fewestAvailable = Math.min(fewestAvailable, [...readyPods.values()].filter(Boolean).length);
      },
      () => undefined,
    );

    const r = await c.talosctl(["-n", c.ips[1]!, "reboot", "--drain"]);
    nodeWatch.abort();
    podWatch.abort();
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split("\n");
    const ours = lines.filter((l) => l.startsWith(`${worker}: `));
    expect(ours.slice(0, 3)).toEqual([
      `${worker}: cordoning node`,
      `${worker}: node cordoned`,
      `${worker}: draining node`,
    ]);
    expect(ours.filter((l) => /: pod default\/web-\S+ evicted$/.test(l))).toHaveLength(2);
    expect(ours.slice(-4)).toEqual([
      `${worker}: node drained`,
      `${worker}: waiting for node to become Ready`,
      `${worker}: uncordoning node`,
      `${worker}: node uncordoned`,
    ]);
    // The reboot ran between the drain and the uncordon.
    const drained = lines.indexOf(`${worker}: node drained`);
    const rebooted = lines.indexOf(`"${c.ips[1]}": post check passed`);
    expect(drained).toBeGreaterThanOrEqual(0);
    expect(rebooted).toBeGreaterThan(drained);
    expect(lines.indexOf(`${worker}: uncordoning node`)).toBeGreaterThan(rebooted);

    expect(seen[0]).toBe("cordoned,Ready");
    expect(seen).toContain("cordoned,NotReady");
    expect(seen.indexOf("cordoned,NotReady")).toBeGreaterThan(seen.indexOf("cordoned,Ready"));
    expect(fewestAvailable).toBeGreaterThanOrEqual(1);
    const node = await core.readNode({ name: worker });
    expect(node.spec?.unschedulable ?? false).toBe(false);
    expect(isReady(node)).toBe(true);
    const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=web" });
    expect(pods.items.map((p) => p.spec?.nodeName)).toEqual(["drain-worker-2", "drain-worker-2"]);
  }, 90_000);
});

describe("upgrade", () => {
  it("drains the node by default, reboots it into the new installation and uncordons it", async () => {
    const worker = "drain-worker-2";
    const r = await c.talosctl(["-n", c.ips[2]!, "upgrade", "-i", INSTALLER]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("WARNING");
    const ours = r.stderr
      .trim()
      .split("\n")
      .filter((l) => l.startsWith(`${worker}: `));
    expect(ours.slice(0, 3)).toEqual([
      `${worker}: cordoning node`,
      `${worker}: node cordoned`,
      `${worker}: draining node`,
    ]);
    expect(ours.filter((l) => /: pod default\/web-\S+ evicted$/.test(l))).toHaveLength(2);
    expect(ours.at(-1)).toBe(`${worker}: node uncordoned`);
    const node = await core.readNode({ name: worker });
    expect(node.spec?.unschedulable ?? false).toBe(false);
    const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=web" });
    expect(pods.items.map((p) => p.spec?.nodeName)).toEqual(["drain-worker-1", "drain-worker-1"]);
  }, 90_000);
});

describe("when the Kubernetes API cannot be reached", () => {
  // A worker as the endpoint: it has no admin kubeconfig to hand out.
  it("refuses an explicit --drain before anything happens, and upgrade skips its default drain with a warning", async () => {
    const worker = c.ips[2]!;
    const bootId = (await core.readNode({ name: "drain-worker-2" })).status!.nodeInfo!.bootID;
    const reboot = await c.talosctl(["-e", worker, "-n", worker, "reboot", "--drain"]);
    expect(reboot).toMatchObject({ code: 1, stdout: "" });
    expect(reboot.stderr).toBe(
      "--drain: the Kubernetes API cannot be reached: error fetching kubeconfig from Talos API: rpc error: code = Unimplemented desc = kubeconfig is only available on control plane nodes; run reboot with --drain=false (and cordon and drain the node through Kubernetes yourself first)\n",
    );
    const explicit = await c.talosctl(["-e", worker, "-n", worker, "upgrade", "--drain", "-i", INSTALLER]);
    expect(explicit.code).toBe(1);
    expect(explicit.stderr).toMatch(
      /^--drain: the Kubernetes API cannot be reached: .*; run upgrade with --drain=false/,
    );
    expect(explicit.stderr).not.toContain("pulling image");
    const node = await core.readNode({ name: "drain-worker-2" });
    expect(node.status!.nodeInfo!.bootID).toBe(bootId);

    const upgrade = await c.talosctl([
      "-e",
      worker,
      "-n",
      worker,
      "upgrade",
      "-i",
      INSTALLER,
      "--wait=false",
    ]);
    expect({ code: upgrade.code, stderr: upgrade.stderr }).toMatchObject({ code: 0 });
    expect(upgrade.stderr).toMatch(
      /^WARNING: the Kubernetes node is not drained before the reboot: the Kubernetes API cannot be reached: error fetching kubeconfig from Talos API: .*\(--drain=false skips this step without a warning\)$/m,
    );
    expect(upgrade.stderr).toContain(`${worker}: upgrade completed`);
    expect(upgrade.stderr).not.toContain("cordoning node");
  }, 60_000);
});
