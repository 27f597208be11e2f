// A node's part of the emulated Kubernetes cluster, started when its kubelet registers: the
// kubelet's work, and on a control plane the kube-apiserver static pod (HTTPS on the
// cluster's API port, the cluster endpoint's address claimed while no other control plane
// holds it), the objects kube-apiserver and Talos create at bootstrap, and the
// controller-manager and scheduler loops while this control plane holds their leases.
import { createHash } from "node:crypto";
import type https from "node:https";
import { isIP } from "node:net";
import { errorMessage } from "../../errors.js";
import { issueServerCertificate } from "../../pki/index.js";
import type { MachineConfig } from "../machine/config.js";
import type { KubeletPod } from "../platform/index.js";
import { KubeApiServer } from "./apiserver.js";
import { defaultRbac } from "./auth.js";
import { imageVersion, type KubeClusterFacts, kubeFacts } from "./cluster-config.js";
import { ControllerManager, tryLease } from "./controllers.js";
import { openFileKv } from "./file-kv.js";
import { Kubelet } from "./kubelet.js";
import type { KubeKv } from "./kv.js";
import { bootstrapManifests, serviceIps } from "./manifests.js";
import { type NodeFacts, watchNode } from "./node-watch.js";
import type { Json, KObject } from "./objects.js";
import { containerLog } from "./pod-log.js";
import {
  CLUSTER_ROLE,
  CLUSTER_ROLE_BINDING,
  ENDPOINTS,
  LEASE,
  NAMESPACE,
  PRIORITY_CLASS,
  resourceByKind,
  SERVICE,
} from "./resources.js";
import { KubeStatusError } from "./status.js";
import { KubeStorage } from "./storage.js";
import {
  APISERVER_LEASE_LIVE,
  APISERVER_LEASE_RENEW,
  CONTROLLER_RESYNC,
  LEADER_LEASE,
  LEADER_RETRY,
  NODE_MONITOR_GRACE,
  olderThan,
  type Period,
  realPeriod,
} from "./timing.js";

/** How often (real time) a control plane tries to take the cluster endpoint's address. */
export const ENDPOINT_CLAIM_MS = 300;
/** What leader leases record as their duration (client-go's default). */
const LEADER_LEASE_SECONDS = 15;
/** Lifetime of the API server's serving certificate. */
const SERVING_CERT_TTL_MS = 365 * 24 * 3_600_000;
const NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

export interface KubeRuntimeHost {
  /** Wall-clock time. */
  readonly now: () => Date;
  readonly scale: number;
  readonly after: (ms: number, fn: () => void) => { cancel(): void };
  readonly real: (ms: number) => number;
  readonly log: (line: string) => void;
  readonly active: () => MachineConfig | undefined;
  readonly hostname: () => string;
  /** The node's routed address. */
  readonly address: () => string;
  /** The address the node's API listens on (`0.0.0.0` for all). */
  readonly bindHost: string;
  /** The directory of the cluster's key/value store, once the node knows its cluster. */
  readonly storeDir: () => string | undefined;
  /** The Kubernetes CA (PEM; the key on control planes). */
  readonly kubernetesCa: () => { crt: string; key: string };
  /** The API server's port (the cluster endpoint's). */
  readonly apiPort: () => number;
  readonly talosVersion: string;
  readonly bootId: string;
  readonly machineId: string;
  readonly systemUuid: string;
  readonly kernelVersion: string;
  readonly cpus: number;
  readonly memoryKb: number;
  readonly diskBytes: number;
  /** The pods the node's kubelet runs changed: their sandboxes and containers. */
  readonly podsChanged?: (pods: readonly KubeletPod[]) => void;
  /** The node's Node object changed in the Kubernetes API (see `node()`). */
  readonly nodeChanged?: () => void;
}

function ignore(err: unknown): void {
  if (err instanceof KubeStatusError) return;
  throw err;
}

export class KubeRuntime {
  private kv: KubeKv | undefined;
  private storage: KubeStorage | undefined;
  private kubelet: Kubelet | undefined;
  private apiServer: KubeApiServer | undefined;
  private controllers: ControllerManager | undefined;
  private readonly timers = new Set<{ cancel(): void }>();
  private claim: NodeJS.Timeout | undefined;
  private endpointServer: https.Server | undefined;
  private closed = false;
  private leader = false;
  private nodeFacts: NodeFacts | undefined;
  private nodeWatch: { cancel(): void } | undefined;
  private readonly identity: string;

  constructor(private readonly host: KubeRuntimeHost) {
    this.identity = `${host.hostname()}_${host.bootId}`;
  }

  /** The kubelet registered the node: start the node's Kubernetes side. */
  kubeletRegistered(controlPlane: boolean): void {
    void this.start(controlPlane).catch((err: unknown) => this.host.log(`kubernetes: ${errorMessage(err)}`));
  }

  /** The node's Node object as the Kubernetes API has it, once the kubelet registered it. */
  node(): NodeFacts | undefined {
    return this.nodeFacts;
  }

  /** The machine config changed. */
  configChanged(): void {
    if (this.closed || !this.kubelet) return;
    void this.kubelet.refresh().catch((err: unknown) => this.host.log(`kubelet: ${errorMessage(err)}`));
  }

  /** A container of a pod the kubelet runs was killed (every one of the pod's, without a name). */
  restartContainer(uid: string, name?: string): boolean {
    return !this.closed && (this.kubelet?.restartContainer(uid, name) ?? false);
  }

  /** The machine goes down: the kubelet says so, the API server stops. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    if (this.claim) clearInterval(this.claim);
    this.nodeWatch?.cancel();
    this.controllers?.stop();
    const kubelet = this.kubelet;
    const kv = this.kv;
    const server = this.apiServer;
    void (async () => {
      await kubelet?.stop().catch(() => undefined);
      await server?.close().catch(() => undefined);
      kv?.close();
    })();
  }

  private facts(): KubeClusterFacts | undefined {
    const active = this.host.active();
    return active ? kubeFacts(active, this.controlPlane) : undefined;
  }

  private controlPlane = false;

  private async start(controlPlane: boolean): Promise<void> {
    this.controlPlane = controlPlane;
    const dir = this.host.storeDir();
    if (!dir || this.closed) return;
    this.kv = openFileKv(dir);
    const storage = new KubeStorage(this.kv, this.host.now);
    this.storage = storage;
    if (controlPlane) {
      await this.bootstrapObjects(storage);
      await this.startApiServer(storage);
    }
    if (this.closed) return;
    const h = this.host;
    this.kubelet = new Kubelet({
      storage,
      now: h.now,
      after: h.after,
      real: h.real,
      nodeName: h.hostname().toLowerCase(),
      hostname: h.hostname(),
      address: h.address(),
      controlPlane,
      facts: () => this.facts(),
      talosVersion: h.talosVersion,
      bootId: h.bootId,
      machineId: h.machineId,
      systemUuid: h.systemUuid,
      kernelVersion: h.kernelVersion,
      cpus: h.cpus,
      memoryKb: h.memoryKb,
      diskBytes: h.diskBytes,
      log: h.log,
      ...(h.podsChanged ? { podsChanged: h.podsChanged } : {}),
    });
    await this.kubelet.start();
    if (this.closed) return;
    this.nodeWatch = await watchNode(storage, this.kubelet.name, (facts) => {
      // Heartbeats rewrite the Node without changing what Talos reads of it.
      if (JSON.stringify(facts) === JSON.stringify(this.nodeFacts)) return;
      this.nodeFacts = facts;
      this.host.nodeChanged?.();
    });
    if (this.closed) this.nodeWatch.cancel();
    if (controlPlane) this.electLeaders(storage);
  }

  private older(iso: string, p: Period): boolean {
    return olderThan(this.host.now(), iso, this.host.real, p);
  }

  private every(p: Period, fn: () => void): void {
    let handle: NodeJS.Timeout | undefined;
    this.timers.add({ cancel: () => clearTimeout(handle) });
    const tick = (): void => {
      if (this.closed) return;
      fn();
      handle = setTimeout(tick, realPeriod(this.host.real, p));
      handle.unref();
    };
    tick();
  }

  // --- what kube-apiserver and Talos create ----------------------------------------------------------

  private async createIfMissing(kind: string, group: string | undefined, o: KObject): Promise<void> {
    const r = resourceByKind(kind, group);
    if (!r || !this.storage) return;
    const ns = r.namespaced ? (o.metadata.namespace ?? "default") : undefined;
    if (await this.storage.get(r, ns, o.metadata.name!)) return;
    await this.storage.create(r, ns, o).catch(ignore);
  }

  private async bootstrapObjects(storage: KubeStorage): Promise<void> {
    for (const name of NAMESPACES) {
      if (!(await storage.get(NAMESPACE, undefined, name)))
        await storage.create(NAMESPACE, undefined, { metadata: { name } }).catch(ignore);
    }
    const rbac = defaultRbac();
    for (const role of rbac.roles)
      if (!(await storage.get(CLUSTER_ROLE, undefined, role.metadata.name!)))
        await storage.create(CLUSTER_ROLE, undefined, role).catch(ignore);
    for (const b of rbac.bindings)
      if (!(await storage.get(CLUSTER_ROLE_BINDING, undefined, b.metadata.name!)))
        await storage.create(CLUSTER_ROLE_BINDING, undefined, b).catch(ignore);
    for (const [name, value, description] of [
      [
        "system-node-critical",
        2000001000,
        "Used for system critical pods that must not be moved from their current node.",
      ],
      [
        "system-cluster-critical",
        2000000000,
        "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
      ],
    ] as const) {
      if (!(await storage.get(PRIORITY_CLASS, undefined, name))) {
        await storage
          .create(PRIORITY_CLASS, undefined, {
            metadata: { name },
            value,
            description,
            globalDefault: false,
            preemptionPolicy: "PreemptLowerPriority",
          })
          .catch(ignore);
      }
    }
    const facts = this.facts();
    if (!facts) return;
    const { apiServer } = serviceIps(facts.serviceSubnets[0] ?? "10.96.0.0/12");
    if (!(await storage.get(SERVICE, "default", "kubernetes"))) {
      await storage
        .create(SERVICE, "default", {
          metadata: {
            name: "kubernetes",
            namespace: "default",
            labels: { component: "apiserver", provider: "kubernetes" },
          },
          spec: {
            clusterIP: apiServer,
            ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: this.host.apiPort() }],
          },
        })
        .catch(ignore);
    }
    for (const manifest of bootstrapManifests(facts)) {
      for (const o of manifest.objects) {
        const [group] = String(o.apiVersion).includes("/") ? String(o.apiVersion).split("/") : [""];
        await this.createIfMissing(String(o.kind), group, o as KObject);
      }
    }
  }

  // --- kube-apiserver --------------------------------------------------------------------------------

  private async startApiServer(storage: KubeStorage): Promise<void> {
    const facts = this.facts();
    const ca = this.host.kubernetesCa();
    if (!facts || ca.key === "") return;
    const endpointHost = endpointHostOf(facts.endpoint);
    const address = this.host.address();
    const ips = new Set<string>([
      "127.0.0.1",
      address,
      serviceIps(facts.serviceSubnets[0] ?? "10.96.0.0/12").apiServer,
    ]);
    const dns = new Set<string>([
      "kubernetes",
      "kubernetes.default",
      "kubernetes.default.svc",
      `kubernetes.default.svc.${facts.dnsDomain}`,
      "localhost",
      this.host.hostname(),
    ]);
    for (const san of [endpointHost, ...facts.certSans]) {
      if (san === "") continue;
      if (isIP(san)) ips.add(san);
      else dns.add(san);
    }
    const cert = await issueServerCertificate({
      ca,
      dnsNames: [...dns].sort(),
      ips: [...ips].sort(),
      ttlMs: SERVING_CERT_TTL_MS,
      now: this.host.now(),
      commonName: "kube-apiserver",
      organizations: ["kube-master"],
    });
    if (this.closed) return;
    const server = new KubeApiServer({
      storage,
      tls: { crt: `${cert.crt}${ca.crt}`, key: cert.key, ca: ca.crt },
      now: this.host.now,
      version: () => imageVersion(this.facts()?.images.apiServer ?? ""),
      buildDate: "2026-01-01T00:00:00Z",
      ready: () => true,
      log: this.host.log,
      podLogs: containerLog,
    });
    this.apiServer = server;
    const port = this.host.apiPort();
    const bind = this.host.bindHost === "" ? "0.0.0.0" : this.host.bindHost;
    await this.listenWithRetry(server, bind, port);
    this.renewIdentity(storage);
    if (
      endpointHost !== "" &&
      isIP(endpointHost) &&
      endpointHost.startsWith("127.") &&
      endpointHost !== address &&
      bind !== "0.0.0.0"
    ) {
      this.claimEndpoint(server, endpointHost, port);
    }
  }

  private async listenWithRetry(server: KubeApiServer, host: string, port: number): Promise<void> {
    let logged = false;
    for (;;) {
      if (this.closed) return;
      try {
        await server.listen(host, port);
        this.host.log(`kube-apiserver: serving on ${host}:${port}`);
        return;
      } catch (err) {
        if (!logged)
          this.host.log(`kube-apiserver: cannot listen on ${host}:${port}: ${errorMessage(err)}; retrying`);
        logged = true;
        await new Promise((r) => setTimeout(r, ENDPOINT_CLAIM_MS * 3));
      }
    }
  }

  /**
   * The cluster endpoint's address is served by one control plane at a time, like a shared
   * virtual IP: each tries to listen on it until one does; when that one goes, another takes it.
   */
  private claimEndpoint(server: KubeApiServer, host: string, port: number): void {
    let trying = false;
    const attempt = async (): Promise<void> => {
      if (this.closed || this.endpointServer || trying) return;
      trying = true;
      try {
        this.endpointServer = await server.listen(host, port);
        this.host.log(`kube-apiserver: serving the cluster endpoint ${host}:${port}`);
      } catch {
        // another control plane holds it
      } finally {
        trying = false;
      }
    };
    void attempt();
    this.claim = setInterval(() => void attempt(), ENDPOINT_CLAIM_MS);
    this.claim.unref();
  }

  /** The API server's identity lease, and the `kubernetes` Endpoints listing the live API servers. */
  private renewIdentity(storage: KubeStorage): void {
    const name = `apiserver-${createHash("sha256").update(this.host.hostname()).digest("hex").slice(0, 26)}`;
    this.every(APISERVER_LEASE_RENEW, () => {
      void (async () => {
        const stamp = `${this.host.now().toISOString().slice(0, 23)}000Z`;
        const spec = {
          holderIdentity: `${name}_${this.host.bootId}`,
          leaseDurationSeconds: 3600,
          renewTime: stamp,
        };
        const labels = {
          "apiserver.kubernetes.io/identity": "kube-apiserver",
          "kubernetes.io/hostname": this.host.hostname(),
          "talos.dev/address": this.host.address(),
        };
        const existing = await storage.get(LEASE, "kube-system", name);
        if (!existing)
          await storage.create(LEASE, "kube-system", { metadata: { name, labels }, spec }).catch(ignore);
        else
          await storage
            .modify(LEASE, "kube-system", name, (o) => ({ ...o, metadata: { ...o.metadata, labels }, spec }))
            .catch(ignore);
        const leases = (await storage.list(LEASE, "kube-system")).items.filter(
          (l) =>
            l.metadata.labels?.["apiserver.kubernetes.io/identity"] === "kube-apiserver" &&
            !this.older(String(((l as Json).spec as Json).renewTime), APISERVER_LEASE_LIVE),
        );
        const addresses = [
          ...new Set(
            leases.map((l) => l.metadata.labels?.["talos.dev/address"]).filter((a): a is string => !!a),
          ),
        ].sort();
        const subsets =
          addresses.length > 0
            ? [
                {
                  addresses: addresses.map((ip) => ({ ip })),
                  ports: [{ name: "https", port: this.host.apiPort(), protocol: "TCP" }],
                },
              ]
            : undefined;
        const ep = await storage.get(ENDPOINTS, "default", "kubernetes");
        if (!ep)
          await storage
            .create(ENDPOINTS, "default", {
              metadata: { name: "kubernetes", labels: { "endpointslice.kubernetes.io/skip-mirror": "true" } },
              ...(subsets ? { subsets } : {}),
            })
            .catch(ignore);
        else if (JSON.stringify((ep as Json).subsets) !== JSON.stringify(subsets)) {
          await storage
            .modify(ENDPOINTS, "default", "kubernetes", (o) => ({ ...o, ...(subsets ? { subsets } : {}) }))
            .catch(ignore);
        }
      })().catch(() => undefined);
    });
  }

  // --- controller-manager and scheduler --------------------------------------------------------------

  private electLeaders(storage: KubeStorage): void {
    const facts = this.facts();
    const controllers = new ControllerManager({
      storage,
      now: this.host.now,
      nodeOverdue: (iso) => this.older(iso, NODE_MONITOR_GRACE),
      podSubnet: facts?.podSubnets[0] ?? "10.244.0.0/16",
      caCrt: this.host.kubernetesCa().crt,
      log: this.host.log,
    });
    this.controllers = controllers;
    const expired = (renew: string): boolean => this.older(renew, LEADER_LEASE);
    this.every(LEADER_RETRY, () => {
      void (async () => {
        const now = this.host.now();
        const cm = await tryLease(
          storage,
          "kube-controller-manager",
          this.identity,
          LEADER_LEASE_SECONDS,
          now,
          expired,
        );
        const sched = await tryLease(
          storage,
          "kube-scheduler",
          this.identity,
          LEADER_LEASE_SECONDS,
          now,
          expired,
        );
        const leader = cm && sched;
        if (this.closed) return;
        if (leader && !this.leader) {
          this.host.log("kube-controller-manager: became leader");
          controllers.start(realPeriod(this.host.real, CONTROLLER_RESYNC));
        } else if (!leader && this.leader) controllers.stop();
        this.leader = leader;
      })().catch(() => undefined);
    });
  }
}

function endpointHostOf(endpoint: string): string {
  try {
    return new URL(endpoint).hostname.replace(/^\[(.*)\]$/, "$1");
  } catch {
    return "";
  }
}
