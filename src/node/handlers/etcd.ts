// The etcd maintenance RPCs: snapshot, recovery upload, alarms, defragmentation and the
// storage downgrade. Talos serves these from
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go, passing etcd's answers
// through (errors wrapped as Talos wraps them: a plain error, so the status is Unknown).
import fs from "node:fs";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { DataSchema } from "../../gen/common/common_pb.js";
import {
  EtcdAlarmDisarmResponseSchema,
  EtcdAlarmDisarmSchema,
  EtcdAlarmListResponseSchema,
  EtcdAlarmSchema,
  EtcdClusterDowngradeSchema,
  EtcdDefragmentResponseSchema,
  EtcdDefragmentSchema,
  EtcdDowngradeCancelResponseSchema,
  EtcdDowngradeCancelSchema,
  EtcdDowngradeEnableResponseSchema,
  EtcdDowngradeEnableSchema,
  EtcdDowngradeValidateResponseSchema,
  EtcdDowngradeValidateSchema,
  EtcdMemberAlarm_AlarmType,
  EtcdMemberAlarmSchema,
  EtcdRecoverResponseSchema,
  EtcdRecoverSchema,
  MachineService,
} from "../../gen/machine/machine_pb.js";
import type { AlarmRecord } from "../cluster/etcd-kv.js";
import { ETCD_RECOVERY_SNAPSHOT, snapshotChunks } from "../cluster/etcd-member.js";
import { StatusError } from "../errors.js";
import { isComplete, isControlPlane, type Machine } from "../machine/index.js";
import {
  clientStream,
  DATA_CHUNK_BYTES,
  failedPrecondition,
  type HandlerEntry,
  invalidArgument,
  type NodeRuntime,
  serverStream,
  unary,
  unimplemented,
} from "./define.js";

/** Talos's machinehelper.CheckControlplane, with the API's name. */
function checkControlPlane(machine: Machine, api: string): void {
  const active = machine.config.active;
  if (!isComplete(active)) throw unimplemented(`machine type is not set, cannot use ${api} API`);
  if (!isControlPlane(active)) throw unimplemented(`${api} is only available on control plane nodes`);
}

/** An error etcd's client returned, as Talos passes it on: wrapped in plain text (status Unknown). */
function wrapped(prefix: string, err: unknown): StatusError {
  const message = err instanceof Error ? err.message : String(err);
  return new StatusError(grpc.status.UNKNOWN, `${prefix}: ${message}`);
}

const hexId = (id: string): bigint => BigInt(`0x${id}`);

function alarmMessages(alarms: readonly AlarmRecord[]) {
  return alarms.map((a) =>
    create(EtcdMemberAlarmSchema, {
      memberId: hexId(a.member),
      alarm: a.alarm === "NOSPACE" ? EtcdMemberAlarm_AlarmType.NOSPACE : EtcdMemberAlarm_AlarmType.CORRUPT,
    }),
  );
}

/** Talos's check of a downgrade target (v1alpha1_server.go validateDowngrade). */
function validateDowngrade(version: string): { major: number; minor: number } {
  if (version === "") throw invalidArgument("version is required for etcd downgrade");
  const parts = version.split(".");
  if (parts.length !== 2) throw invalidArgument("version should be in MAJOR.MINOR format");
  const goInt = (s: string) => /^[+-]?\d+$/.test(s) && Number.isSafeInteger(Number(s));
  if (!goInt(parts[0]!)) throw invalidArgument("major version should be a number");
  if (!goInt(parts[1]!)) throw invalidArgument("minor version should be a number");
  const major = Number(parts[0]);
  const minor = Number(parts[1]);
  if (major < 3 || (major === 3 && minor < 5)) {
    throw invalidArgument("etcd downgrade is only supported to 3.5 and later versions");
  }
  return { major, minor };
}

/** `3.6.0` → `3.6`, as etcd's version.Cluster answers. */
function clusterShort(version: string): string {
  const parts = version.split(".");
  return parts.length <= 2 ? version : `${parts[0]}.${parts[1]}`;
}

export function etcdHandlers(rt: NodeRuntime): HandlerEntry[] {
  /** The running member's data; etcd must run here. */
  const member = () => {
    const { self, state } = rt.machine.cluster.etcdMembers();
    return { self, membership: state, kv: rt.machine.cluster.kv() };
  };

  /** etcd's downgrade check: the target is one minor below the cluster version, none in progress. */
  const checkDowngrade = (target: { major: number; minor: number }): string => {
    const { kv } = member();
    const state = kv.read();
    const cv = state.clusterVersion();
    const [major, minor] = cv.split(".").map(Number) as [number, number];
    if (target.major !== major || target.minor !== minor - 1) {
      throw wrapped("failed to query etcd status", new Error("etcdserver: invalid downgrade target version"));
    }
    if (state.downgrade.enabled) {
      throw wrapped(
        "failed to query etcd status",
        new Error("etcdserver: cluster has a downgrade job in progress"),
      );
    }
    return cv;
  };

  return [
    serverStream(MachineService.method.etcdSnapshot, async (_req, _caller, send) => {
      checkControlPlane(rt.machine, "etcd snapshot");
      const { self, membership, kv } = member();
      const state = kv.read();
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async (): Promise<void> => {
        const all = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        for (let i = 0; i < all.length; i += DATA_CHUNK_BYTES) {
          await send(create(DataSchema, { bytes: all.subarray(i, i + DATA_CHUNK_BYTES) }));
        }
      };
      for await (const chunk of snapshotChunks(state, kv.membersInfo(), self, membership.raftTerm)) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= 64 * DATA_CHUNK_BYTES) await flush();
      }
      await flush();
    }),
    clientStream(MachineService.method.etcdRecover, async (requests) => {
      const file = path.join(rt.machine.rootfs.dir, ETCD_RECOVERY_SNAPSHOT);
      if (!fs.existsSync(path.dirname(file))) {
        throw failedPrecondition("etcd service is not ready for recovery yet");
      }
      checkControlPlane(rt.machine, "etcd recover");
      const fd = fs.openSync(file, "w", 0o700);
      let ok = false;
      try {
        for await (const msg of requests) fs.writeSync(fd, msg.bytes);
        fs.fsyncSync(fd);
        ok = true;
      } finally {
        fs.closeSync(fd);
        if (!ok) fs.rmSync(file, { force: true });
      }
      return create(EtcdRecoverResponseSchema, { messages: [create(EtcdRecoverSchema, {})] });
    }),
    unary(MachineService.method.etcdAlarmList, async () => {
      checkControlPlane(rt.machine, "etcd alarm list");
      const { kv } = member();
      return create(EtcdAlarmListResponseSchema, {
        messages: [create(EtcdAlarmSchema, { memberAlarms: alarmMessages(kv.read().alarms) })],
      });
    }),
    unary(MachineService.method.etcdAlarmDisarm, async () => {
      checkControlPlane(rt.machine, "etcd alarm disarm");
      const { kv } = member();
      const disarmed = await kv.disarmAll();
      return create(EtcdAlarmDisarmResponseSchema, {
        messages: [create(EtcdAlarmDisarmSchema, { memberAlarms: alarmMessages(disarmed) })],
      });
    }),
    unary(MachineService.method.etcdDefragment, async () => {
      checkControlPlane(rt.machine, "etcd defragment");
      const { self, kv } = member();
      await kv.defragment(self);
      return create(EtcdDefragmentResponseSchema, { messages: [create(EtcdDefragmentSchema, {})] });
    }),
    unary(MachineService.method.etcdDowngradeValidate, async (req) => {
      checkControlPlane(rt.machine, "etcd downgrade validate");
      const target = validateDowngrade(req.version);
      const cv = checkDowngrade(target);
      return create(EtcdDowngradeValidateResponseSchema, {
        messages: [
          create(EtcdDowngradeValidateSchema, {
            clusterDowngrade: create(EtcdClusterDowngradeSchema, { clusterVersion: clusterShort(cv) }),
          }),
        ],
      });
    }),
    unary(MachineService.method.etcdDowngradeEnable, async (req) => {
      checkControlPlane(rt.machine, "etcd downgrade enable");
      const target = validateDowngrade(req.version);
      const cv = checkDowngrade(target);
      await member().kv.setDowngrade(true, `${target.major}.${target.minor}.0`);
      return create(EtcdDowngradeEnableResponseSchema, {
        messages: [
          create(EtcdDowngradeEnableSchema, {
            clusterDowngrade: create(EtcdClusterDowngradeSchema, { clusterVersion: clusterShort(cv) }),
          }),
        ],
      });
    }),
    unary(MachineService.method.etcdDowngradeCancel, async () => {
      checkControlPlane(rt.machine, "etcd downgrade cancel");
      const { kv } = member();
      const state = kv.read();
      const cv = state.clusterVersion();
      // etcd 3.6 logs a cancel without a downgrade in progress and answers as if it worked.
      if (state.downgrade.enabled) await kv.setDowngrade(false, state.downgrade.target);
      return create(EtcdDowngradeCancelResponseSchema, {
        messages: [
          create(EtcdDowngradeCancelSchema, {
            clusterDowngrade: create(EtcdClusterDowngradeSchema, { clusterVersion: clusterShort(cv) }),
          }),
        ],
      });
    }),
  ];
}
