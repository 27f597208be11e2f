// Cluster formation RPCs: Bootstrap, the etcd membership calls, the admin kubeconfig and the
// server-side cluster health check. Talos serves these from
// internal/app/machined/internal/server/v1alpha1/v1alpha1_cluster.go and v1alpha1_server.go,
// running the checks of pkg/cluster/check/default.go (siderolabs/talos).
import { gzipSync } from "node:zlib";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { ClusterService, HealthCheckProgressSchema } from "../../gen/cluster/cluster_pb.js";
import { DataSchema } from "../../gen/common/common_pb.js";
import {
  BootstrapResponseSchema,
  BootstrapSchema,
  EtcdForfeitLeadershipResponseSchema,
  EtcdForfeitLeadershipSchema,
  EtcdLeaveClusterResponseSchema,
  EtcdLeaveClusterSchema,
  EtcdMemberListResponseSchema,
  EtcdMemberSchema,
  EtcdMemberStatusSchema,
  EtcdMembersSchema,
  EtcdRemoveMemberByIDResponseSchema,
  EtcdRemoveMemberByIDSchema,
  EtcdStatusResponseSchema,
  EtcdStatusSchema,
  MachineService,
} from "../../gen/machine/machine_pb.js";
import {
  type ClusterView,
  HealthCheckFailure,
  type NodeView,
  runHealthChecks,
  updateLine,
} from "../../health/index.js";
import { issueClientCertificate } from "../../pki/index.js";
import { durationMs } from "../../wire/index.js";
import { controlPlaneEndpoint, kubernetesCa } from "../cluster/facts.js";
import type { AffiliateRecord } from "../cluster/registry.js";
import { StatusError } from "../errors.js";
import { clusterName, hasEtcd, isComplete, isControlPlane, type Machine } from "../machine/index.js";
import { ETCD_VERSION } from "../machine/service-voices.js";
import { tarStream } from "../platform/index.js";
import {
  callSignal,
  DATA_CHUNK_BYTES,
  failedPrecondition,
  type HandlerEntry,
  invalidArgument,
  type NodeRuntime,
  serverStream,
  unary,
  unimplemented,
} from "./define.js";

/** Lifetime of the admin kubeconfig's client certificate (Talos: one year). */
const ADMIN_KUBECONFIG_TTL_MS = 365 * 24 * 3_600_000;
/** How often server-side health re-polls a failing check (real time). */
const HEALTH_POLL_MS = 250;
/** Health wait timeout when the request sets none (talosctl's default is 20 minutes). */
const DEFAULT_HEALTH_TIMEOUT_MS = 20 * 60_000;

function requireControlPlane(machine: Machine, api: string): void {
  const active = machine.config.active;
  if (!isComplete(active)) throw unimplemented(`machine type is not set, cannot use ${api} API`);
  if (!isControlPlane(active)) throw unimplemented(`${api} is only available on control plane nodes`);
}

const hexId = (id: string): bigint => BigInt(`0x${id}`);

/** The admin kubeconfig Talos generates: the cluster's CA, endpoint and an admin certificate. */
export async function adminKubeconfig(machine: Machine, now: Date): Promise<string> {
  const active = machine.config.active!;
  const ca = kubernetesCa(active);
  if (ca.key === "") throw new Error("the Kubernetes CA key is not available on this node");
  const cert = await issueClientCertificate({
    ca,
    roles: ["system:masters"],
    commonName: "admin",
    ttlMs: ADMIN_KUBECONFIG_TTL_MS,
    now,
  });
  const cluster = clusterName(active);
  const user = `admin@${cluster}`;
  const b64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");
  return [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    `    - name: ${cluster}`,
    "      cluster:",
    `        server: ${controlPlaneEndpoint(active)}`,
    `        certificate-authority-data: ${b64(ca.crt)}`,
    "users:",
    `    - name: ${user}`,
    "      user:",
    `        client-certificate-data: ${b64(cert.crt)}`,
    `        client-key-data: ${b64(cert.key)}`,
    "contexts:",
    "    - context:",
    `        cluster: ${cluster}`,
    "        namespace: default",
    `        user: ${user}`,
    `      name: ${user}`,
    `current-context: ${user}`,
    "",
  ].join("\n");
}

/** A health view of the cluster from the discovery registry, as this node sees it. */
function viewFrom(
  machine: Machine,
  controlPlanes: readonly string[],
  workers: readonly string[],
): ClusterView {
  const affiliates = machine.cluster.affiliates();
  const etcd = machine.cluster.etcdState();
  const byAddress = new Map<string, AffiliateRecord>();
  for (const a of affiliates) for (const addr of a.addresses) byAddress.set(addr, a);
  const toView = (node: string): NodeView => {
    const a = byAddress.get(node) ?? affiliates.find((x) => x.hostname === node);
    if (!a) {
      return {
        node,
        error: "rpc error: code = Unavailable desc = connection refused",
        hostname: node,
        stage: "unknown",
        services: {},
        memoryBytes: 0,
        diskBytes: 0,
        kubernetesReady: false,
        staticPods: false,
      };
    }
    const etcdUp = a.status.services.etcd?.healthy === true;
    return {
      node,
      hostname: a.hostname,
      stage: a.status.stage,
      services: a.status.services,
      memoryBytes: a.status.memoryBytes,
      diskBytes: a.status.diskBytes,
      kubernetesReady: a.status.kubernetesReady,
      staticPods: a.status.staticPods,
      ...(etcdUp && etcd ? { etcdMembers: etcd.members.map((m) => m.hostname) } : { etcdMembers: [] }),
    };
  };
  return { controlPlanes: controlPlanes.map(toView), workers: workers.map(toView) };
}

export function clusterHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.bootstrap, async (req) => {
      const machine = rt.machine;
      const active = machine.config.active;
      if (!isComplete(active)) throw unimplemented("machine type is not set, cannot use bootstrap API");
      if (!isControlPlane(active) || !hasEtcd(active)) {
        throw invalidArgument("etcd is not configured, bootstrap is not possible");
      }
      if (!machine.services.isUp("cri")) throw failedPrecondition("bootstrap is not available yet");
      await machine.cluster.bootstrap({ recover: req.recoverEtcd, skipHashCheck: req.recoverSkipHashCheck });
      // Talos loads a new etcd service for the bootstrap: one that failed starts again.
      const etcd = machine.services.snapshot("etcd");
      if (etcd?.state === "Failed") machine.services.start(etcd.definition);
      return create(BootstrapResponseSchema, { messages: [create(BootstrapSchema, {})] });
    }),
    unary(MachineService.method.etcdMemberList, async () => {
      requireControlPlane(rt.machine, "etcd");
      const { state } = await rt.machine.cluster.etcdMembers();
      return create(EtcdMemberListResponseSchema, {
        messages: [
          create(EtcdMembersSchema, {
            members: state.members.map((m) =>
              create(EtcdMemberSchema, {
                id: hexId(m.id),
                hostname: m.hostname,
                peerUrls: [`https://${m.address}:2380`],
                clientUrls: [`https://${m.address}:2379`],
                isLearner: m.isLearner,
              }),
            ),
          }),
        ],
      });
    }),
    unary(MachineService.method.etcdStatus, async () => {
      requireControlPlane(rt.machine, "etcd");
      const { self, state } = await rt.machine.cluster.etcdMembers();
      const me = state.members.find((m) => m.id === self);
      const version = ETCD_VERSION.replace(/^v/, "");
      const kv = rt.machine.cluster.kv();
      const data = kv.read();
      const members = kv.membersInfo();
      const dbSize = data.dbSize(self, members);
      const raftIndex = BigInt(state.raftIndex + data.applied);
      return create(EtcdStatusResponseSchema, {
        messages: [
          create(EtcdStatusSchema, {
            memberStatus: create(EtcdMemberStatusSchema, {
              memberId: hexId(self),
              protocolVersion: version,
              storageVersion: data.clusterVersion(),
              dbSize: BigInt(dbSize),
              dbSizeInUse: BigInt(data.inUse(members)),
              leader: state.leader === "" ? 0n : hexId(state.leader),
              raftIndex,
              raftTerm: BigInt(state.raftTerm),
              raftAppliedIndex: raftIndex,
              // etcd's status lists "etcdserver: no leader" and every alarm (AlarmMember's text form).
              errors: [
                ...(state.leader === "" ? ["etcdserver: no leader"] : []),
                ...data.alarms.map((a) => `memberID:${hexId(a.member)} alarm:${a.alarm}`),
              ],
              isLearner: me?.isLearner ?? false,
            }),
          }),
        ],
      });
    }),
    unary(MachineService.method.etcdLeaveCluster, async () => {
      requireControlPlane(rt.machine, "etcd");
      await rt.machine.cluster.leave();
      return create(EtcdLeaveClusterResponseSchema, { messages: [create(EtcdLeaveClusterSchema, {})] });
    }),
    unary(MachineService.method.etcdRemoveMemberByID, async (req) => {
      requireControlPlane(rt.machine, "etcd");
      const id = req.memberId.toString(16).padStart(16, "0");
      await rt.machine.cluster.removeMember(id);
      return create(EtcdRemoveMemberByIDResponseSchema, {
        messages: [create(EtcdRemoveMemberByIDSchema, {})],
      });
    }),
    unary(MachineService.method.etcdForfeitLeadership, async () => {
      requireControlPlane(rt.machine, "etcd");
      const member = await rt.machine.cluster.forfeitLeadership();
      return create(EtcdForfeitLeadershipResponseSchema, {
        messages: [create(EtcdForfeitLeadershipSchema, { member })],
      });
    }),
    serverStream(MachineService.method.kubeconfig, async (_req, _caller, send) => {
      requireControlPlane(rt.machine, "kubeconfig");
      const text = Buffer.from(await adminKubeconfig(rt.machine, rt.clock.now()), "utf8");
      const parts: Uint8Array[] = [];
      for await (const chunk of tarStream([
        {
          name: "kubeconfig",
          kind: "file",
          perm: 0o600,
          size: text.length,
          mtime: rt.clock.now(),
          data: async function* () {
            yield text;
          },
        },
      ])) {
        parts.push(chunk);
      }
      const archive = gzipSync(Buffer.concat(parts));
      for (let i = 0; i < archive.length; i += DATA_CHUNK_BYTES) {
        await send(create(DataSchema, { bytes: archive.subarray(i, i + DATA_CHUNK_BYTES) }));
      }
    }),
    serverStream(ClusterService.method.healthCheck, async (req, caller, send) => {
      const machine = rt.machine;
      if (!isComplete(machine.config.active))
        throw unimplemented("machine type is not set, cannot use health check API");
      const signal = callSignal(caller, machine);
      const timeoutMs = req.waitTimeout ? durationMs(req.waitTimeout) : DEFAULT_HEALTH_TIMEOUT_MS;
      const deadline = Date.now() + (timeoutMs > 0 ? timeoutMs : DEFAULT_HEALTH_TIMEOUT_MS);
      const progress = (message: string) => send(create(HealthCheckProgressSchema, { message }));
      let controlPlanes = [...(req.clusterInfo?.controlPlaneNodes ?? [])];
      let workers = [...(req.clusterInfo?.workerNodes ?? [])];
      if (controlPlanes.length === 0 && workers.length === 0) {
        const found = machine.cluster.affiliates();
        const addr = (a: AffiliateRecord) => a.addresses[0] ?? a.hostname;
        controlPlanes = found
          .filter((a) => a.machineType === "controlplane" || a.machineType === "init")
          .map(addr);
        workers = found.filter((a) => a.machineType === "worker").map(addr);
        await progress(
          `discovered nodes: [${[...controlPlanes, ...workers].map((n) => JSON.stringify(n)).join(" ")}]`,
        );
      }
      try {
        await runHealthChecks({
          view: async () => viewFrom(machine, controlPlanes, workers),
          report: (u) => progress(updateLine(u)),
          deadline,
          intervalMs: HEALTH_POLL_MS,
          signal,
        });
      } catch (err) {
        if (err instanceof HealthCheckFailure) {
          throw new StatusError(grpc.status.UNKNOWN, err.message);
        }
        throw err;
      }
    }),
  ];
}
