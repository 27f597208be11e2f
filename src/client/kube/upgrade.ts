// talosctl upgrade-k8s: the Kubernetes control plane and kubelets moved to another version by
// patching each node's machine config over the Talos API and following the result through the
// Kubernetes API, one node at a time, with talosctl's log lines (siderolabs/talos:
// pkg/cluster/kubernetes/talos_managed.go, kubelet.go, detect.go).
import { Code, ConnectError } from "@connectrpc/connect";
import { applyPatches, loadPatches } from "../../config/patch/index.js";
import { TalosError, UserError } from "../../errors.js";
import { ApplyMode, applyConfiguration } from "../apply.js";
import type { TalosClient } from "../client.js";
import { sameConfigData } from "../config-text.js";
import { fetchMachineConfig } from "../resources.js";
import { isNotFound, type Json, KubeApiError, type KubeClient } from "./client.js";

export const STATIC_PODS = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"] as const;
type Component = (typeof STATIC_PODS)[number] | "kube-proxy" | "kubelet";

export interface UpgradeImages {
  readonly kubelet: string;
  readonly apiServer: string;
  readonly controllerManager: string;
  readonly scheduler: string;
  readonly proxy: string;
}

export interface UpgradeK8sOptions {
  readonly talos: TalosClient;
  readonly kube: KubeClient;
  /** Versions without the `v`; `from` empty: detected. */
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  readonly prePullImages: boolean;
  readonly upgradeKubelet: boolean;
  readonly images: UpgradeImages;
  readonly log: (line: string) => void;
  readonly signal: AbortSignal;
  /** How long one node's component may take to come back. */
  readonly waitTimeoutMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const POLL_MS = 250;
const q = (s: string): string => JSON.stringify(s);
const list = (items: readonly string[]): string => `[${items.map(q).join(" ")}]`;

function versionOf(image: string): string | undefined {
  const tag = /:([^:/@]+)(@.*)?$/.exec(image)?.[1];
  const m = tag ? /^v?(\d+\.\d+\.\d+\S*)$/.exec(tag) : null;
  return m?.[1];
}

function semverParts(v: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)\.(\d+)/.exec(v);
  if (!m) throw new UserError(`invalid Kubernetes version ${q(v)}: expected X.Y.Z`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function compare(a: string, b: string): number {
  const x = semverParts(a);
  const y = semverParts(b);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The lowest version the control plane components and kube-proxy run (detect.go). */
export async function detectLowestVersion(kube: KubeClient): Promise<string> {
  const pods = await kube.get("/api/v1/namespaces/kube-system/pods");
  const apps = new Set(["kube-apiserver", "kube-controller-manager", "kube-proxy", "kube-scheduler"]);
  let lowest: string | undefined;
  for (const p of (pods.items ?? []) as Json[]) {
    const app = ((p.metadata as Json).labels as Record<string, string> | undefined)?.["k8s-app"];
    if (!app || !apps.has(app)) continue;
    for (const c of ((p.spec as Json).containers ?? []) as Json[]) {
      if (c.name !== app) continue;
      const v = versionOf(String(c.image ?? ""));
      if (v && (lowest === undefined || compare(v, lowest) < 0)) lowest = v;
    }
  }
  if (!lowest) throw new TalosError("not-found", "failed to detect lowest Kubernetes version");
  return lowest;
}

/** InternalIPs of the Nodes of one machine type (by the control-plane role label). */
export async function nodeIps(kube: KubeClient, controlPlane: boolean): Promise<string[]> {
  const nodes = await kube.get("/api/v1/nodes", {
    labelSelector: controlPlane
      ? "node-role.kubernetes.io/control-plane"
      : "!node-role.kubernetes.io/control-plane",
  });
  const out: string[] = [];
  for (const n of (nodes.items ?? []) as Json[]) {
    const addr = (((n.status as Json | undefined)?.addresses ?? []) as Json[]).find(
      (a) => a.type === "InternalIP",
    );
    if (typeof addr?.address === "string") out.push(addr.address);
  }
  return out.sort();
}

/** The image field of a component in a config, in either layout. */
function imagePatch(config: string, component: Component, image: string): string {
  const doc = (kind: string) => new RegExp(`^kind: ${kind}\\s*$`, "m").test(config);
  switch (component) {
    case "kube-apiserver":
      return doc("KubeAPIServerConfig")
        ? `apiVersion: v1alpha1\nkind: KubeAPIServerConfig\nimage: ${image}\n`
        : `cluster:\n  apiServer:\n    image: ${image}\n`;
    case "kube-controller-manager":
      return doc("KubeControllerManagerConfig")
        ? `apiVersion: v1alpha1\nkind: KubeControllerManagerConfig\nimage: ${image}\n`
        : `cluster:\n  controllerManager:\n    image: ${image}\n`;
    case "kube-scheduler":
      return doc("KubeSchedulerConfig")
        ? `apiVersion: v1alpha1\nkind: KubeSchedulerConfig\nimage: ${image}\n`
        : `cluster:\n  scheduler:\n    image: ${image}\n`;
    case "kube-proxy":
      return doc("KubeProxyConfig")
        ? `apiVersion: v1alpha1\nkind: KubeProxyConfig\nimage: ${image}\n`
        : `cluster:\n  proxy:\n    image: ${image}\n`;
    case "kubelet":
      return doc("KubeletConfig")
        ? `apiVersion: v1alpha1\nkind: KubeletConfig\nimage: ${image}\n`
        : `machine:\n  kubelet:\n    image: ${image}\n`;
  }
}

/** The image a component runs according to a config (for the `old -> new` line). */
function configuredImage(config: string, component: Component): string {
  const kinds: Record<Component, string> = {
    "kube-apiserver": "KubeAPIServerConfig",
    "kube-controller-manager": "KubeControllerManagerConfig",
    "kube-scheduler": "KubeSchedulerConfig",
    "kube-proxy": "KubeProxyConfig",
    kubelet: "KubeletConfig",
  };
  const section = config
    .split(/^---$/m)
    .find((d) => new RegExp(`^kind: ${kinds[component]}\\s*$`, "m").test(d));
  const legacy: Record<Component, RegExp> = {
    "kube-apiserver": /apiServer:\s*\n(?:\s+.*\n)*?\s+image: (\S+)/,
    "kube-controller-manager": /controllerManager:\s*\n(?:\s+.*\n)*?\s+image: (\S+)/,
    "kube-scheduler": /scheduler:\s*\n(?:\s+.*\n)*?\s+image: (\S+)/,
    "kube-proxy": /proxy:\s*\n(?:\s+.*\n)*?\s+image: (\S+)/,
    kubelet: /kubelet:\s*\n(?:\s+.*\n)*?\s+image: (\S+)/,
  };
  if (section) return /^image: (\S+)/m.exec(section)?.[1] ?? "";
  return legacy[component].exec(config)?.[1] ?? "";
}

export class UpgradeK8s {
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly o: UpgradeK8sOptions) {
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  private imageFor(component: Component): string {
    const repo = {
      "kube-apiserver": this.o.images.apiServer,
      "kube-controller-manager": this.o.images.controllerManager,
      "kube-scheduler": this.o.images.scheduler,
      "kube-proxy": this.o.images.proxy,
      kubelet: this.o.images.kubelet,
    }[component];
    return `${repo}:v${this.o.to}`;
  }

  async run(): Promise<void> {
    const { o } = this;
    let from = o.from;
    if (from === "") {
      from = await detectLowestVersion(o.kube);
      o.log(`automatically detected the lowest Kubernetes version ${from}`);
    }
    const [fMaj, fMin] = semverParts(from);
    const [tMaj, tMin] = semverParts(o.to);
    if (fMaj !== tMaj || tMin < fMin || tMin - fMin > 1) {
      throw new UserError(
        `unsupported upgrade path ${fMaj}.${fMin}->${tMaj}.${tMin} (from ${q(from)} to ${q(o.to)})`,
      );
    }
    const controlPlanes = await nodeIps(o.kube, true);
    if (controlPlanes.length === 0) throw new TalosError("not-found", "no controlplane nodes discovered");
    o.log(`discovered controlplane nodes ${list(controlPlanes)}`);
    let workers: string[] = [];
    if (o.upgradeKubelet) {
      workers = await nodeIps(o.kube, false);
      o.log(`discovered worker nodes ${list(workers)}`);
    }
    if (o.prePullImages) await this.prePull(controlPlanes, workers);
    for (const component of STATIC_PODS) {
      o.log(`updating ${q(component)} to version ${q(o.to)}`);
      for (const node of controlPlanes) await this.staticPod(component, node, from);
    }
    o.log(`updating kube-proxy to version ${q(o.to)}`);
    for (const node of controlPlanes) {
      o.log(` > ${q(node)}: starting update`);
      if (o.dryRun) {
        o.log(" > skipped in dry-run");
        continue;
      }
      await this.patch(node, "kube-proxy");
    }
    if (!o.upgradeKubelet) o.log("skipped updating kubelet");
    else {
      o.log(`updating kubelet to version ${q(o.to)}`);
      for (const node of [...controlPlanes, ...workers]) await this.kubelet(node, from);
    }
    await this.syncProxy();
  }

  private async prePull(controlPlanes: readonly string[], workers: readonly string[]): Promise<void> {
    const { o } = this;
    const pull = async (node: string, image: string, namespace: number): Promise<void> => {
      o.log(` > ${q(node)}: pre-pulling ${image}`);
      try {
        await o.talos.forNode(node).machine.imagePull({ namespace, reference: image });
      } catch (err) {
        if (ConnectError.from(err).code === Code.Unimplemented)
          o.log(` < ${q(node)}: not implemented, skipping`);
        else
          throw new TalosError(
            "unknown",
            `failed pre-pulling images: error pre-pulling ${image} on ${node}: ${ConnectError.from(err).rawMessage}`,
            { cause: err },
          );
      }
    };
    for (const component of STATIC_PODS)
      for (const node of controlPlanes) await pull(node, this.imageFor(component), 2);
    if (!o.upgradeKubelet) return;
    for (const node of [...controlPlanes, ...workers]) await pull(node, this.imageFor("kubelet"), 1);
  }

  /** Patches a node's config so the component runs the target image; false when it already did. */
  private async patch(node: string, component: Component): Promise<boolean> {
    const target = this.o.talos.forNode(node);
    const current = await fetchMachineConfig(target);
    const patches = loadPatches([imagePatch(current, component, this.imageFor(component))], { cwd: "/" });
    const patched = applyPatches({ text: current, file: `machine config of node ${node}` }, patches).text;
    if (sameConfigData(current, patched)) return false;
    await applyConfiguration(target, {
      data: patched,
      mode: ApplyMode.NO_REBOOT,
      dryRun: false,
      tryModeTimeout: 0n,
    });
    return true;
  }

  private async staticPod(
    component: (typeof STATIC_PODS)[number],
    node: string,
    from: string,
  ): Promise<void> {
    const { o } = this;
    o.log(` > ${q(node)}: starting update`);
    const config = await fetchMachineConfig(o.talos.forNode(node));
    const old = configuredImage(config, component);
    const image = this.imageFor(component);
    if (old !== image) {
      o.log(` > update ${component}: ${(versionOf(old) ?? from).replace(/^v/, "")} -> ${o.to}`);
      if (o.dryRun) {
        o.log(" > skipped in dry-run");
        return;
      }
      await this.patch(node, component);
    } else if (o.dryRun) return;
    o.log(` > ${q(node)}: machine configuration patched`);
    o.log(` > ${q(node)}: waiting for ${component} pod update`);
    await this.until(`${component} on ${node}`, async () => {
      const pods = await o.kube.get("/api/v1/namespaces/kube-system/pods", {
        labelSelector: `k8s-app = ${component}`,
      });
      return ((pods.items ?? []) as Json[]).some((p) => {
        const status = (p.status ?? {}) as Json;
        const ready = ((status.conditions ?? []) as Json[]).some(
          (c) => c.type === "Ready" && c.status === "True",
        );
        const runs = ((p.spec as Json).containers as Json[]).some((c) => c.image === image);
        return (
          status.hostIP === node && runs && ready && (p.metadata as Json).deletionTimestamp === undefined
        );
      });
    });
    o.log(` < ${q(node)}: successfully updated`);
  }

  private async kubelet(node: string, from: string): Promise<void> {
    const { o } = this;
    o.log(` > ${q(node)}: starting update`);
    const config = await fetchMachineConfig(o.talos.forNode(node));
    const old = configuredImage(config, "kubelet");
    const image = this.imageFor("kubelet");
    let changed = false;
    if (old !== image) {
      o.log(` > update kubelet: ${(versionOf(old) ?? from).replace(/^v/, "")} -> ${o.to}`);
      if (o.dryRun) {
        o.log(" > skipped in dry-run");
        return;
      }
      changed = await this.patch(node, "kubelet");
    } else if (o.dryRun) return;
    o.log(` > ${q(node)}: machine configuration patched`);
    if (changed) o.log(` > ${q(node)}: waiting for kubelet restart`);
    o.log(` > ${q(node)}: waiting for node update`);
    await this.until(`kubelet on ${node}`, async () => {
      const nodes = await o.kube.get("/api/v1/nodes");
      const n = ((nodes.items ?? []) as Json[]).find((x) =>
        (((x.status as Json | undefined)?.addresses ?? []) as Json[]).some(
          (a) => a.type === "InternalIP" && a.address === node,
        ),
      );
      if (!n) return false;
      const status = n.status as Json;
      const version = ((status.nodeInfo as Json | undefined)?.kubeletVersion as string | undefined) ?? "";
      const ready = ((status.conditions ?? []) as Json[]).some(
        (c) => c.type === "Ready" && c.status === "True",
      );
      return version === `v${o.to}` && ready;
    });
    o.log(` < ${q(node)}: successfully updated`);
  }

  /** The kube-proxy DaemonSet takes the new image (the manifests' sync, for the object the version changes). */
  private async syncProxy(): Promise<void> {
    const { o } = this;
    o.log(`updating manifests${o.dryRun ? " (dry run)" : ""}`);
    let ds: Json;
    try {
      ds = await o.kube.get("/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy");
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const containers = ((((ds.spec as Json).template as Json).spec as Json).containers ?? []) as Json[];
    const image = this.imageFor("kube-proxy");
    if (containers.every((c) => c.name !== "kube-proxy" || c.image === image)) {
      o.log(" < apply skipped: DaemonSet/kube-proxy unchanged");
      return;
    }
    o.log(` < apply configured: DaemonSet/kube-proxy`);
    if (o.dryRun) return;
    await o.kube.request("PATCH", "/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy", {
      query: { fieldManager: "talos", force: true },
      contentType: "application/apply-patch+yaml",
      body: JSON.stringify({
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "kube-proxy", namespace: "kube-system" },
        spec: { template: { spec: { containers: [{ name: "kube-proxy", image }] } } },
      }),
    });
    await this.until("kube-proxy rollout", async () => {
      const d = await o.kube.get("/apis/apps/v1/namespaces/kube-system/daemonsets/kube-proxy");
      const s = (d.status ?? {}) as Json;
      return (
        s.updatedNumberScheduled === s.desiredNumberScheduled &&
        s.numberReady === s.desiredNumberScheduled &&
        s.observedGeneration === (d.metadata as Json).generation
      );
    });
    o.log(" < DaemonSet/kube-proxy: rollout complete");
  }

  private async until(what: string, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + this.o.waitTimeoutMs;
    for (;;) {
      if (this.o.signal.aborted) throw this.o.signal.reason;
      try {
        if (await check()) return;
      } catch (err) {
        if (!(err instanceof KubeApiError) && !(err instanceof TalosError)) throw err;
      }
      if (Date.now() > deadline) throw new TalosError("deadline-exceeded", `timed out waiting for ${what}`);
      await this.sleep(POLL_MS);
    }
  }
}
