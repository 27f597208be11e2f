// The emulated Kubernetes API of a local cluster, driven by real clients: the official
// JavaScript client (@kubernetes/client-node) and kubectl where one is on the PATH. One cluster
// (a control plane and two workers) serves the whole file; the admin kubeconfig is the one
// `cluster create` merged.
import { execFile } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import path from "node:path";
import * as k8s from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCertificateAuthority, issueClientCertificate } from "../src/pki/index.js";
import { createLocalCluster, type LocalCluster } from "./helpers/local-cluster.js";
import { eventually } from "./helpers/node.js";

const KUBECTL =
  ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].find((p) => fs.existsSync(p)) ??
  (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((d) => path.join(d, "kubectl"))
    .find((p) => fs.existsSync(p));
const withKubectl = KUBECTL ? it : it.skip;

let c: LocalCluster;
let kubeconfigFile: string;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;

function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL!,
      args,
      { env: { PATH: process.env.PATH, HOME: c.home, KUBECONFIG: kubeconfigFile }, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Raw HTTPS to the API server with the given client identity (or none). */
function raw(
  method: string,
  urlPath: string,
  options: { body?: string; contentType?: string; cert?: string; key?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const cluster = kc.getCurrentCluster()!;
  const url = new URL(urlPath, cluster.server);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: Buffer.from(cluster.caData!, "base64"),
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
        headers:
          options.body !== undefined ? { "Content-Type": options.contentType ?? "application/json" } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (d: Buffer) => chunks.push(d));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(text);
          } catch {
            body = { text };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

beforeAll(async () => {
  c = await createLocalCluster({ name: "kube", controlplanes: 1, workers: 2 });
  expect({ code: c.created.code, stderr: c.created.stderr.split("\n").slice(-3) }).toMatchObject({ code: 0 });
  kubeconfigFile = path.join(c.home, ".kube", "config");
  kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigFile);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
}, 120_000);

afterAll(async () => {
  await c?.destroy();
});

describe("a fresh cluster seen through the JavaScript client", () => {
  it("reaches the API through the cluster endpoint, the gateway address the control plane serves", () => {
    const base = c.cidr.replace(/\.0\/24$/, "");
    expect(kc.getCurrentCluster()!.server).toBe(`https://${base}.1:6443`);
  });

  it("lists the nodes, registered by their kubelets with Talos's facts", async () => {
    const nodes = await eventually(async () => {
      const list = await core.listNode();
      const ready = list.items.filter(
        (n) => n.status?.conditions?.find((x) => x.type === "Ready")?.status === "True",
      );
      if (ready.length !== 3) throw new Error(`ready nodes: ${ready.map((n) => n.metadata?.name)}`);
      return list.items;
    }, 30_000);
    expect(nodes.map((n) => n.metadata!.name).sort()).toEqual([
      "kube-controlplane-1",
      "kube-worker-1",
      "kube-worker-2",
    ]);
    const cp = nodes.find((n) => n.metadata!.name === "kube-controlplane-1")!;
    expect(cp.metadata!.labels).toMatchObject({
      "node-role.kubernetes.io/control-plane": "",
      "kubernetes.io/hostname": "kube-controlplane-1",
    });
    expect(cp.spec!.taints).toEqual([{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]);
    expect(cp.status!.nodeInfo).toMatchObject({
      osImage: "Talos (v1.14.0)",
      kubeletVersion: "v1.37.0",
      operatingSystem: "linux",
    });
    expect(cp.status!.addresses).toContainEqual({ type: "InternalIP", address: c.ips[0] });
    expect(cp.status!.capacity).toMatchObject({ cpu: "2", pods: "110" });
  });

  it("has the namespaces, mirror pods, DaemonSets, CoreDNS and Services of a Talos cluster", async () => {
    const ns = await core.listNamespace();
    expect(ns.items.map((n) => n.metadata!.name).sort()).toEqual([
      "default",
      "kube-node-lease",
      "kube-public",
      "kube-system",
    ]);
    const pods = await eventually(async () => {
      const list = await core.listNamespacedPod({ namespace: "kube-system" });
      const running = list.items.filter((p) => p.status?.phase === "Running");
      // 3 static pods, flannel and kube-proxy on 3 nodes, 2 CoreDNS pods.
      if (running.length !== 11) throw new Error(`running: ${running.length}`);
      return list.items;
    }, 30_000);
    const apiserver = pods.find((p) => p.metadata!.name === "kube-apiserver-kube-controlplane-1")!;
    expect(apiserver.metadata!.annotations).toHaveProperty("kubernetes.io/config.mirror");
    expect(apiserver.spec!.containers[0]!.image).toBe("registry.k8s.io/kube-apiserver:v1.37.0");
    expect(apiserver.status!.hostIP).toBe(c.ips[0]);
    const ds = await apps.listNamespacedDaemonSet({ namespace: "kube-system" });
    expect(ds.items.map((d) => [d.metadata!.name, d.status!.numberReady]).sort()).toEqual([
      ["kube-flannel", 3],
      ["kube-proxy", 3],
    ]);
    const coredns = await apps.readNamespacedDeployment({ name: "coredns", namespace: "kube-system" });
    expect(coredns.status!.readyReplicas).toBe(2);
    const svc = await core.readNamespacedService({ name: "kube-dns", namespace: "kube-system" });
    expect(svc.spec!.clusterIP).toBe("10.96.0.10");
    const kubernetes = await core.readNamespacedService({ name: "kubernetes", namespace: "default" });
    expect(kubernetes.spec!.clusterIP).toBe("10.96.0.1");
    const token = await core.listNamespacedSecret({
      namespace: "kube-system",
      fieldSelector: "type=bootstrap.kubernetes.io/token",
    });
    expect(token.items).toHaveLength(1);
  });

  it("creates, patches, updates with a conflict check, selects and deletes objects", async () => {
    const cm = await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "settings", labels: { app: "demo" } }, data: { a: "1" } },
    });
    expect(cm.metadata!.uid).toBeTruthy();
    const patched = await core.patchNamespacedConfigMap(
      { name: "settings", namespace: "default", body: { data: { b: "2" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    expect(patched.data).toEqual({ a: "1", b: "2" });
    expect(Number(patched.metadata!.resourceVersion)).toBeGreaterThan(Number(cm.metadata!.resourceVersion));
    // An update against the old resourceVersion is refused with 409 Conflict.
    await expect(
      core.replaceNamespacedConfigMap({
        name: "settings",
        namespace: "default",
        body: { ...cm, data: { a: "x" } },
      }),
    ).rejects.toMatchObject({ code: 409 });
    const bySelector = await core.listNamespacedConfigMap({
      namespace: "default",
      labelSelector: "app in (demo)",
    });
    expect(bySelector.items.map((x) => x.metadata!.name)).toEqual(["settings"]);
    const byField = await core.listNamespacedConfigMap({
      namespace: "default",
      fieldSelector: "metadata.name!=settings",
    });
    expect(byField.items.map((x) => x.metadata!.name)).toEqual(["kube-root-ca.crt"]);
    await core.deleteNamespacedConfigMap({ name: "settings", namespace: "default" });
    await expect(
      core.readNamespacedConfigMap({ name: "settings", namespace: "default" }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it("lists in chunks with limit and continue", async () => {
    const first = await core.listPodForAllNamespaces({ limit: 4 });
    expect(first.items).toHaveLength(4);
    expect(first.metadata!._continue).toBeTruthy();
    const names = first.items.map((p) => p.metadata!.name);
    let token = first.metadata!._continue;
    while (token) {
      const next = await core.listPodForAllNamespaces({ limit: 4, _continue: token });
      names.push(...next.items.map((p) => p.metadata!.name));
      token = next.metadata!._continue;
    }
    const all = await core.listPodForAllNamespaces();
    expect(names).toEqual(all.items.map((p) => p.metadata!.name));
  });

  it("watches from a resourceVersion, in order, with the initial-events bookmark", async () => {
    const start = await core.listNamespacedConfigMap({ namespace: "default" });
    const seen: string[] = [];
    const watch = new k8s.Watch(kc);
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const req = await watch.watch(
      "/api/v1/namespaces/default/configmaps",
      { resourceVersion: start.metadata!.resourceVersion, allowWatchBookmarks: true },
      (type, obj) => {
        seen.push(`${type} ${obj.metadata?.name}`);
        if (type === "DELETED") done();
      },
      () => undefined,
    );
    await core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: "w1" } } });
    await core.patchNamespacedConfigMap(
      { name: "w1", namespace: "default", body: { data: { x: "1" } } },
      k8s.setHeaderOptions("Content-Type", k8s.PatchStrategy.MergePatch),
    );
    await core.deleteNamespacedConfigMap({ name: "w1", namespace: "default" });
    await finished;
    req.abort();
    expect(seen).toEqual(["ADDED w1", "MODIFIED w1", "DELETED w1"]);
    // sendInitialEvents: the current state, then a bookmark that says it is complete.
    const initial = await raw(
      "GET",
      "/api/v1/namespaces/kube-system/configmaps?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=1",
      {
        cert: kc.getCurrentUser()!.certData
          ? Buffer.from(kc.getCurrentUser()!.certData!, "base64").toString()
          : "",
        key: Buffer.from(kc.getCurrentUser()!.keyData!, "base64").toString(),
      },
    );
    const lines = String(initial.body.text ?? "")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({
      type: "BOOKMARK",
      object: { metadata: { annotations: { "k8s.io/initial-events-end": "true" } } },
    });
    expect(lines.slice(0, -1).every((l) => l.type === "ADDED")).toBe(true);
  });
});

describe("refusals", () => {
  it("answers an unauthenticated request and a client certificate from another CA with 401", async () => {
    const anonymous = await raw("GET", "/api/v1/namespaces");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ kind: "Status", reason: "Unauthorized", code: 401 });
    // Health stays open to anonymous requests, as Talos configures it.
    expect((await raw("GET", "/readyz")).status).toBe(200);
    const other = await createCertificateAuthority({
      organization: "other",
      now: new Date(),
      keyKind: "ecdsa",
    });
    const stranger = await issueClientCertificate({
      ca: other,
      roles: ["system:masters"],
      commonName: "admin",
      ttlMs: 3_600_000,
      now: new Date(),
    });
    const refused = await raw("GET", "/api/v1/namespaces", { cert: stranger.crt, key: stranger.key });
    expect(refused.status).toBe(401);
  });

  it("answers malformed JSON and YAML bodies with Status 400 and changes nothing", async () => {
    const before = await core.listNamespacedConfigMap({ namespace: "default" });
    const corednsBefore = await core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" });
    const user = kc.getCurrentUser()!;
    const id = {
      cert: Buffer.from(user.certData!, "base64").toString(),
      key: Buffer.from(user.keyData!, "base64").toString(),
    };
    const badJson = await raw("POST", "/api/v1/namespaces/default/configmaps", {
      ...id,
      body: '{"metadata": {"name": "broken"',
    });
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "BadRequest",
      code: 400,
    });
    const badYaml = await raw("POST", "/api/v1/namespaces/default/configmaps", {
      ...id,
      body: "metadata:\n  name: broken\n data: [",
      contentType: "application/yaml",
    });
    expect(badYaml.status).toBe(400);
    expect(badYaml.body).toMatchObject({ kind: "Status", reason: "BadRequest" });
    const badPatch = await raw("PATCH", "/api/v1/namespaces/kube-system/configmaps/coredns", {
      ...id,
      body: "{not json",
      contentType: "application/merge-patch+json",
    });
    expect(badPatch.status).toBe(400);
    const after = await core.listNamespacedConfigMap({ namespace: "default" });
    const state = (list: k8s.V1ConfigMapList) =>
      list.items.map((x) => [x.metadata!.name, x.metadata!.resourceVersion]);
    expect(state(after)).toEqual(state(before));
    const coredns = await core.readNamespacedConfigMap({ name: "coredns", namespace: "kube-system" });
    expect(coredns.metadata!.resourceVersion).toBe(corednsBefore.metadata!.resourceVersion);
  });
});

describe("kubectl", () => {
  withKubectl("gets, describes, applies and deletes (skipped without kubectl on the PATH)", async () => {
    const nodes = await kubectl(["get", "nodes"]);
    expect(nodes.stderr).toBe("");
    expect(nodes.stdout.split("\n")[0]).toMatch(/^NAME +STATUS +ROLES +AGE +VERSION$/);
    expect(nodes.stdout).toMatch(/kube-controlplane-1 +Ready +control-plane +\S+ +v1\.37\.0/);
    const described = await kubectl(["describe", "node", "kube-worker-1"]);
    expect(described.stdout).toContain("OS Image:                   Talos (v1.14.0)");
    const manifest = [
      "apiVersion: apps/v1",
      "kind: Deployment",
      "metadata: {name: web, namespace: default}",
      "spec:",
      "  replicas: 2",
      "  selector: {matchLabels: {app: web}}",
      "  template:",
      "    metadata: {labels: {app: web}}",
      "    spec:",
      "      containers: [{name: nginx, image: 'nginx:1.27'}]",
      "",
    ].join("\n");
    const applied = await kubectl(["apply", "-f", "-"], manifest);
    expect({ code: applied.code, out: applied.stdout.trim(), err: applied.stderr }).toEqual({
      code: 0,
      out: "deployment.apps/web created",
      err: "",
    });
    const again = await kubectl(["apply", "-f", "-"], manifest.replace("nginx:1.27", "nginx:1.28"));
    expect(again.stdout.trim()).toBe("deployment.apps/web configured");
    await eventually(async () => {
      const d = await apps.readNamespacedDeployment({ name: "web", namespace: "default" });
      if (d.status?.updatedReplicas !== 2 || d.status.readyReplicas !== 2 || d.status.replicas !== 2)
        throw new Error(JSON.stringify(d.status));
    }, 30_000);
    const ssa = await kubectl(
      ["apply", "--server-side", "-f", "-"],
      manifest.replace("replicas: 2", "replicas: 3"),
    );
    expect(ssa.stdout.trim()).toBe("deployment.apps/web serverside-applied");
    const logs = await eventually(async () => {
      const r = await kubectl(["logs", "deploy/web"]);
      if (r.code !== 0) throw new Error(r.stderr);
      return r;
    });
    expect(logs.stdout).toContain('"Starting nginx"');
    const deleted = await kubectl(["delete", "deployment", "web"]);
    expect(deleted.stdout.trim()).toBe('deployment.apps "web" deleted');
    const gone = await kubectl(["get", "deployment", "web"]);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr.trim()).toBe('Error from server (NotFound): deployments.apps "web" not found');
  });

  withKubectl(
    "drains a node past a PodDisruptionBudget and uncordons it (skipped without kubectl on the PATH)",
    async () => {
      const manifest = [
        "apiVersion: apps/v1",
        "kind: Deployment",
        "metadata: {name: guarded, namespace: default}",
        "spec:",
        "  replicas: 2",
        "  selector: {matchLabels: {app: guarded}}",
        "  template:",
        "    metadata: {labels: {app: guarded}}",
        "    spec:",
        "      containers: [{name: app, image: 'busybox:1.36'}]",
        "---",
        "apiVersion: policy/v1",
        "kind: PodDisruptionBudget",
        "metadata: {name: guarded, namespace: default}",
        "spec: {minAvailable: 1, selector: {matchLabels: {app: guarded}}}",
        "",
      ].join("\n");
      expect((await kubectl(["apply", "-f", "-"], manifest)).code).toBe(0);
      const placed = await eventually(async () => {
        const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=guarded" });
        const ready = pods.items.filter(
          (p) => p.status?.conditions?.find((x) => x.type === "Ready")?.status === "True",
        );
        const pdb = await raw("GET", "/apis/policy/v1/namespaces/default/poddisruptionbudgets/guarded", {
          cert: Buffer.from(kc.getCurrentUser()!.certData!, "base64").toString(),
          key: Buffer.from(kc.getCurrentUser()!.keyData!, "base64").toString(),
        });
        if (
          ready.length !== 2 ||
          (pdb.body.status as { disruptionsAllowed?: number })?.disruptionsAllowed !== 1
        )
          throw new Error("not ready");
        return ready;
      }, 30_000);
      const victim = placed[0]!.spec!.nodeName!;
      const drained = await kubectl([
        "drain",
        victim,
        "--ignore-daemonsets",
        "--delete-emptydir-data",
        "--timeout=60s",
      ]);
      expect({ code: drained.code, stderr: drained.stderr }).toMatchObject({ code: 0 });
      expect(drained.stdout).toContain(`node/${victim} drained`);
      const node = await core.readNode({ name: victim });
      expect(node.spec!.unschedulable).toBe(true);
      expect(node.spec!.taints).toContainEqual(
        expect.objectContaining({ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }),
      );
      const pods = await core.listNamespacedPod({ namespace: "default", labelSelector: "app=guarded" });
      expect(pods.items.every((p) => p.spec!.nodeName !== victim)).toBe(true);
      // DaemonSet pods stay on the drained node.
      const left = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${victim}` });
      expect(left.items.map((p) => p.metadata!.labels?.["k8s-app"]).sort()).toEqual([
        "flannel",
        "kube-proxy",
      ]);
      const nodes = await kubectl(["get", "node", victim]);
      expect(nodes.stdout).toMatch(/Ready,SchedulingDisabled/);
      expect((await kubectl(["uncordon", victim])).stdout.trim()).toBe(`node/${victim} uncordoned`);
      expect((await core.readNode({ name: victim })).spec!.unschedulable).toBeFalsy();
      await kubectl(["delete", "-f", "-"], manifest);
    },
    90_000,
  );
});

describe("the nodes' life cycle", () => {
  it("takes a rebooting worker's Node to NotReady and back to Ready", async () => {
    const transitions: string[] = [];
    const watch = new k8s.Watch(kc);
    const start = await core.listNode();
    let back: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => {
      back = resolve;
    });
    const req = await watch.watch(
      "/api/v1/nodes",
      { resourceVersion: start.metadata!.resourceVersion, fieldSelector: "metadata.name=kube-worker-2" },
      (_type, obj: k8s.V1Node) => {
        const status = obj.status?.conditions?.find((x) => x.type === "Ready")?.status ?? "";
        if (transitions.at(-1) !== status) transitions.push(status);
        if (status === "True" && transitions.includes("False")) back();
      },
      () => undefined,
    );
    const bootId = (await core.readNode({ name: "kube-worker-2" })).status!.nodeInfo!.bootID;
    const reboot = await c.talosctl(["-n", c.ips[2]!, "reboot"]);
    expect({ code: reboot.code, stderr: reboot.stderr }).toMatchObject({ code: 0 });
    await ready;
    req.abort();
    expect(transitions[0]).toBe("False");
    expect(transitions.at(-1)).toBe("True");
    const after = await core.readNode({ name: "kube-worker-2" });
    expect(after.status!.nodeInfo!.bootID).not.toBe(bootId);
    // The worker's DaemonSet pods were restarted with it.
    const pods = await core.listPodForAllNamespaces({ fieldSelector: "spec.nodeName=kube-worker-2" });
    expect(pods.items.every((p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1)).toBe(true);
  }, 60_000);

  it("keeps the objects across a control plane reboot, served by the same endpoint", async () => {
    await core.createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "survivor" }, data: { k: "v" } },
    });
    const reboot = await c.talosctl(["-n", c.ips[0]!, "reboot"]);
    expect({ code: reboot.code, stderr: reboot.stderr }).toMatchObject({ code: 0 });
    const cm = await eventually(
      () => core.readNamespacedConfigMap({ name: "survivor", namespace: "default" }),
      30_000,
    );
    expect(cm.data).toEqual({ k: "v" });
    await core.deleteNamespacedConfigMap({ name: "survivor", namespace: "default" });
  }, 60_000);
});
