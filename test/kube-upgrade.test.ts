// talosctl upgrade-k8s on a local cluster of three control planes: the static pods roll one
// control plane at a time, the kubelets follow node by node, watched through the Kubernetes API
// with the JavaScript client; bad input is refused before anything changes.
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalCluster, type LocalCluster } from "./helpers/local-cluster.js";

let c: LocalCluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

beforeAll(async () => {
  c = await createLocalCluster({ name: "up", controlplanes: 3, workers: 0 });
  expect({ code: c.created.code, stderr: c.created.stderr.split("\n").slice(-3) }).toMatchObject({ code: 0 });
  kc = new k8s.KubeConfig();
  kc.loadFromFile(path.join(c.home, ".kube", "config"));
  core = kc.makeApiClient(k8s.CoreV1Api);
}, 120_000);

afterAll(async () => {
  await c?.destroy();
});

describe("upgrade-k8s on three control planes", () => {
  it("refuses bad input before changing anything", async () => {
    const bad = await c.talosctl(["-n", c.ips[0]!, "upgrade-k8s", "--to", "one.two"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('--to: invalid Kubernetes version "one.two": expected X.Y.Z');
    const two = await c.talosctl(["-n", `${c.ips[0]},${c.ips[1]}`, "upgrade-k8s", "--to", "1.37.1"]);
    expect(two.stderr.trim()).toBe('command "upgrade-k8s" requires exactly one node (got 2)');
    const jump = await c.talosctl([
      "-n",
      c.ips[0]!,
      "upgrade-k8s",
      "--from",
      "1.35.0",
      "--to",
      "1.37.1",
      "--pre-pull-images=false",
    ]);
    expect(jump.code).toBe(1);
    expect(jump.stderr.trim().split("\n").at(-1)).toBe(
      'unsupported upgrade path 1.35->1.37 (from "1.35.0" to "1.37.1")',
    );
    const image = await c.talosctl([
      "-n",
      c.ips[0]!,
      "upgrade-k8s",
      "--to",
      "1.37.1",
      "--apiserver-image",
      "registry.k8s.io/kube-apiserver:v1",
    ]);
    expect(image.stderr.trim()).toContain("--apiserver-image");
  });

  it("plans without changing anything with --dry-run", async () => {
    const r = await c.talosctl([
      "-n",
      c.ips[0]!,
      "upgrade-k8s",
      "--to",
      "1.37.1",
      "--dry-run",
      "--pre-pull-images=false",
    ]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe("automatically detected the lowest Kubernetes version 1.37.0");
    expect(lines[1]).toBe(`discovered controlplane nodes ["${c.ips[0]}" "${c.ips[1]}" "${c.ips[2]}"]`);
    expect(lines).toContain(" > update kube-apiserver: 1.37.0 -> 1.37.1");
    expect(lines.filter((l) => l === " > skipped in dry-run")).toHaveLength(15);
    expect(lines.at(-2)).toBe("updating manifests (dry run)");
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.status!.nodeInfo!.kubeletVersion)).toEqual([
      "v1.37.0",
      "v1.37.0",
      "v1.37.0",
    ]);
  });

  it("rolls the control plane one node at a time, then the kubelets", async () => {
    const apiservers: string[] = [];
    const kubelets: string[] = [];
    const nodeOf = new Map<string, string>();
    for (const n of (await core.listNode()).items) {
      nodeOf.set(n.metadata!.name!, n.status!.addresses!.find((a) => a.type === "InternalIP")!.address);
    }
    const podsStart = await core.listNamespacedPod({
      namespace: "kube-system",
      labelSelector: "k8s-app=kube-apiserver",
    });
    const nodesStart = await core.listNode();
    const watch = new k8s.Watch(kc);
    const notReadyAtOnce: number[] = [];
    const readyApiservers = new Map<string, boolean>();
    const podWatch = await watch.watch(
      "/api/v1/namespaces/kube-system/pods",
      { resourceVersion: podsStart.metadata!.resourceVersion, labelSelector: "k8s-app=kube-apiserver" },
      (type, pod: k8s.V1Pod) => {
        const node = pod.spec!.nodeName!;
        const ready =
          type !== "DELETED" && pod.status?.conditions?.find((x) => x.type === "Ready")?.status === "True";
        readyApiservers.set(node, ready);
        notReadyAtOnce.push([...readyApiservers.values()].filter((r) => !r).length);
        if (
          type !== "DELETED" &&
          pod.spec!.containers[0]!.image!.endsWith(":v1.37.1") &&
          !apiservers.includes(node)
        )
          apiservers.push(node);
      },
      () => undefined,
    );
    const nodeWatch = await watch.watch(
      "/api/v1/nodes",
      { resourceVersion: nodesStart.metadata!.resourceVersion },
      (_type, node: k8s.V1Node) => {
        if (node.status?.nodeInfo?.kubeletVersion === "v1.37.1" && !kubelets.includes(node.metadata!.name!))
          kubelets.push(node.metadata!.name!);
      },
      () => undefined,
    );
    const r = await c.talosctl(["-n", c.ips[0]!, "upgrade-k8s", "--to", "1.37.1", "--pre-pull-images=false"]);
    podWatch.abort();
    nodeWatch.abort();
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const lines = r.stdout.trim().split("\n");
    const apiserverLines = lines.slice(
      lines.indexOf('updating "kube-apiserver" to version "1.37.1"'),
      lines.indexOf('updating "kube-controller-manager" to version "1.37.1"'),
    );
    expect(
      apiserverLines
        .map((l) => /^ < "(.*)": successfully updated$/.exec(l)?.[1])
        .filter((x) => x !== undefined),
    ).toEqual(c.ips);
    // The API servers changed in the order talosctl went, never two down at once.
    expect(apiservers.map((n) => nodeOf.get(n))).toEqual(c.ips);
    expect(Math.max(...notReadyAtOnce)).toBeLessThanOrEqual(1);
    expect(kubelets.map((n) => nodeOf.get(n))).toEqual(c.ips);
    const nodes = await core.listNode();
    expect(nodes.items.map((n) => n.status!.nodeInfo!.kubeletVersion)).toEqual([
      "v1.37.1",
      "v1.37.1",
      "v1.37.1",
    ]);
    const proxy = await kc
      .makeApiClient(k8s.AppsV1Api)
      .readNamespacedDaemonSet({ name: "kube-proxy", namespace: "kube-system" });
    expect(proxy.spec!.template.spec!.containers[0]!.image).toBe("registry.k8s.io/kube-proxy:v1.37.1");
    // The version the API reports follows kube-apiserver's image.
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).toBe("v1.37.1");
    // Each node's CRI runs what its mirror pods show: the static pods' and the kubelet's new images.
    for (const ip of c.ips) {
      const k = await c.talosctl(["-n", ip, "containers", "-k", "-o", "json"]);
      expect(k.code).toBe(0);
      const images = k.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { id: string; image: string })
        .filter((x) => /:kube-(apiserver|controller-manager|scheduler):/.test(x.id))
        .map((x) => x.image)
        .sort();
      expect(images).toEqual([
        "registry.k8s.io/kube-apiserver:v1.37.1",
        "registry.k8s.io/kube-controller-manager:v1.37.1",
        "registry.k8s.io/kube-scheduler:v1.37.1",
      ]);
      const sys = await c.talosctl(["-n", ip, "containers", "-o", "json"]);
      const kubelet = sys.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { id: string; image: string })
        .find((x) => x.id === "kubelet");
      expect(kubelet?.image).toBe("ghcr.io/siderolabs/kubelet:v1.37.1");
    }
  }, 120_000);
});
