// The volume manager's statuses for the /var/mnt directory and the user, raw, swap and existing volumes,
// and the mount chain that follows a volume mount request (siderolabs/talos:
// internal/app/machined/pkg/controllers/block: volume_manager.go, mount_request.go, mount.go,
// mount_status.go): a ready volume with mount requests gets a MountRequest listing its
// requesters, a MountRequest whose parent is mounted gets a MountStatus (target joined onto the
// parent's), and each requester gets a VolumeMountStatus. EPHEMERAL's request is the boot
// sequencer's, filed while the system volumes are mounted.
import {
  MountRequestSpecSchema,
  type MountSpec,
  MountStatusSpecSchema,
  SwapStatusSpecSchema,
  type VolumeMountRequestSpec,
  VolumeMountRequestSpecSchema,
  VolumeMountStatusSpecSchema,
  type VolumeStatusSpec,
  VolumeStatusSpecSchema,
} from "../../../gen/resource/definitions/block/block_pb.js";
import {
  BlockFilesystemType,
  BlockVolumePhase,
  BlockVolumeType,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import { bytesIEC, bytesSI } from "../../../wire/index.js";
import { type Controller, messageKind, NS, type Resource, spec } from "../../resources/index.js";
import { isComplete } from "../config.js";
import { VOLUME_STATUS } from "../volumes.js";
import { currentLayout } from "./block-discovery.js";
import { existingVolumeStatus, existingVolumes } from "./block-existing.js";
import { externalVolumeStatus, externalVolumes } from "./block-external.js";
import { filesystemType } from "./block-layout.js";
import { documentMaintenance } from "./block-trim.js";
import {
  USER_MOUNT_POINT_MOUNT,
  USER_VOLUME_MOUNT_POINT,
  userVolumeMount,
  VOLUME_MOUNT_REQUEST,
} from "./block-volumes.js";
import { INPUT, type MachineSource } from "./source.js";

export const MOUNT_REQUEST = messageKind("MountRequests.block.talos.dev", MountRequestSpecSchema);
export const MOUNT_STATUS = messageKind("MountStatuses.block.talos.dev", MountStatusSpecSchema);
const SWAP_STATUS = messageKind("SwapStatuses.block.talos.dev", SwapStatusSpecSchema);
export const VOLUME_MOUNT_STATUS = messageKind(
  "VolumeMountStatuses.block.talos.dev",
  VolumeMountStatusSpecSchema,
);

const at = (type: string) => ({ namespace: NS.runtime, type });
const READY = BlockVolumePhase.VOLUME_PHASE_READY;
const DIRECTORY = BlockVolumeType.VOLUME_TYPE_DIRECTORY;

function ready(mountSpec: MountSpec | undefined, type: BlockVolumeType): VolumeStatusSpec {
  return spec(VolumeStatusSpecSchema, { phase: READY, type, ...(mountSpec ? { mountSpec } : {}) });
}

const volumeManager: Controller<MachineSource> = {
  name: "block.VolumeManagerController",
  inputs: [INPUT.config, INPUT.boot],
  reads: [at(VOLUME_STATUS.definition.type)],
  run({ source, put, get }) {
    if (!isComplete(source.active())) return;
    // Volumes under /var wait for EPHEMERAL.
    const ephemeral = get(NS.runtime, VOLUME_STATUS.definition.type, "EPHEMERAL")?.spec as
      | VolumeStatusSpec
      | undefined;
    const waiting = ephemeral?.phase !== READY;
    const status = (s: VolumeStatusSpec): VolumeStatusSpec =>
      waiting ? { ...s, phase: BlockVolumePhase.VOLUME_PHASE_WAITING } : s;
    put(
      VOLUME_STATUS,
      NS.runtime,
      USER_VOLUME_MOUNT_POINT,
      status(ready(USER_MOUNT_POINT_MOUNT, BlockVolumeType.VOLUME_TYPE_DIRECTORY)),
    );
    const layout = currentLayout(source, get);
    // The trim and scrub settings of each volume's config travel on its status.
    const config = source.active();
    const putStatus = (id: string, kind: "user" | "raw" | "swap" | "existing", s: VolumeStatusSpec) =>
      put(VOLUME_STATUS, NS.runtime, id, {
        ...s,
        ...documentMaintenance(config, {
          kind,
          name: id.slice(2),
          volumeType: s.type === DIRECTORY ? "directory" : "",
        }),
      });
    for (const v of layout.volumes) {
      const mountSpec = userVolumeMount(v);
      if (v.volumeType === "directory") {
        putStatus(v.id, v.kind, status(ready(mountSpec, DIRECTORY)));
        continue;
      }
      // Whole-disk volumes are not provisioned here: they stay waiting for a disk.
      if (v.volumeType === "disk") {
        putStatus(
          v.id,
          v.kind,
          spec(VolumeStatusSpecSchema, {
            phase: BlockVolumePhase.VOLUME_PHASE_WAITING,
            type: BlockVolumeType.VOLUME_TYPE_DISK,
            ...(mountSpec ? { mountSpec } : {}),
          }),
        );
        continue;
      }
      const placed = layout.placements.get(v.id);
      const p = placed?.partition;
      const located = p
        ? {
            type: BlockVolumeType.VOLUME_TYPE_PARTITION,
            location: p.devPath,
            mountLocation: p.devPath,
            partitionIndex: BigInt(p.index),
            parentLocation: p.disk.devPath,
            uuid: p.fsUuid,
            partitionUuid: p.partitionUuid.toLowerCase(),
            size: BigInt(p.size),
            prettySize: bytesSI(p.size),
            ...(mountSpec ? { mountSpec } : {}),
          }
        : undefined;
      if (!placed?.ok) {
        putStatus(
          v.id,
          v.kind,
          spec(VolumeStatusSpecSchema, {
            // A partition found but not usable failed formatting; none found failed provisioning.
            ...(located ?? {
              type: BlockVolumeType.VOLUME_TYPE_PARTITION,
              ...(mountSpec ? { mountSpec } : {}),
            }),
            phase: BlockVolumePhase.VOLUME_PHASE_FAILED,
            preFailPhase: located
              ? BlockVolumePhase.VOLUME_PHASE_PREPARED
              : BlockVolumePhase.VOLUME_PHASE_WAITING,
            errorMessage: placed?.error ?? "no disks matched selector for volume",
          }),
        );
        continue;
      }
      putStatus(
        v.id,
        v.kind,
        status(
          spec(VolumeStatusSpecSchema, {
            ...located,
            phase: READY,
            // What is on the partition: a raw volume takes whatever filesystem it finds.
            filesystem: filesystemType(placed.partition.filesystem),
          }),
        ),
      );
    }
    for (const v of existingVolumes(source.active())) {
      const s = existingVolumeStatus(layout, v);
      putStatus(v.id, "existing", s.phase === READY ? status(s) : s);
    }
    for (const v of externalVolumes(source.active())) {
      put(VOLUME_STATUS, NS.runtime, v.id, status(externalVolumeStatus(v)));
    }
  },
};

/** The boot sequence's request to mount EPHEMERAL (siderolabs/talos: MountEphemeralPartition). */
const sequencerMounts: Controller<MachineSource> = {
  name: "v1alpha1.Sequencer",
  owner: "",
  inputs: [INPUT.boot],
  reads: [at(VOLUME_STATUS.definition.type)],
  run({ put, get }) {
    const ephemeral = get(NS.runtime, VOLUME_STATUS.definition.type, "EPHEMERAL")?.spec as
      | VolumeStatusSpec
      | undefined;
    if (ephemeral?.phase !== READY) return;
    put(
      VOLUME_MOUNT_REQUEST,
      NS.runtime,
      "EPHEMERAL",
      spec(VolumeMountRequestSpecSchema, { volumeId: "EPHEMERAL", requester: "sequencer" }),
    );
  },
};

function statuses(list: (ns: string, type: string) => Resource[]): Map<string, VolumeStatusSpec> {
  return new Map(
    list(NS.runtime, VOLUME_STATUS.definition.type).map((r) => [r.id, r.spec as VolumeStatusSpec]),
  );
}

const mountRequests: Controller<MachineSource> = {
  name: "block.MountRequestController",
  inputs: [],
  reads: [at(VOLUME_STATUS.definition.type), at(VOLUME_MOUNT_REQUEST.definition.type)],
  run({ put, list }) {
    const volumes = statuses(list);
    const requests = list(NS.runtime, VOLUME_MOUNT_REQUEST.definition.type).sort((a, b) =>
      a.id < b.id ? -1 : 1,
    );
    const byVolume = new Map<string, { req: Resource; spec: VolumeMountRequestSpec }[]>();
    for (const req of requests) {
      const s = req.spec as VolumeMountRequestSpec;
      if (volumes.get(s.volumeId)?.phase !== READY) continue;
      byVolume.set(s.volumeId, [...(byVolume.get(s.volumeId) ?? []), { req, spec: s }]);
    }
    for (const [volumeId, reqs] of byVolume) {
      put(
        MOUNT_REQUEST,
        NS.runtime,
        volumeId,
        spec(MountRequestSpecSchema, {
          volumeId,
          parentMountId: volumes.get(volumeId)?.mountSpec?.parentId ?? "",
          requesters: reqs.map((r) => r.spec.requester),
          requesterIDs: reqs.map((r) => r.req.id),
          // Read-only and detached only if every requester asks; the restrictions if any does.
          readOnly: reqs.every((r) => r.spec.readOnly),
          detached: reqs.every((r) => r.spec.detached),
          disableAccessTime: reqs.some((r) => r.spec.disableAccessTime),
          secure: reqs.some((r) => r.spec.secure),
          noExec: reqs.some((r) => r.spec.noExec),
        }),
      );
    }
  },
};

function joinPath(root: string, target: string): string {
  if (target.startsWith("/")) return target;
  const base = root.endsWith("/") ? root.slice(0, -1) : root;
  return target === "" ? root : `${base}/${target}`;
}

const mounts: Controller<MachineSource> = {
  name: "block.MountController",
  inputs: [],
  reads: [at(VOLUME_STATUS.definition.type), at(MOUNT_REQUEST.definition.type)],
  run({ source, put, list }) {
    const volumes = statuses(list);
    // An external volume mounts only a share the host exports; otherwise the mount fails and
    // its request stays pending.
    const exported = new Set(source.platform?.virtiofs ?? []);
    const mountable = (v: VolumeStatusSpec): boolean =>
      v.type !== BlockVolumeType.VOLUME_TYPE_EXTERNAL ||
      (v.filesystem === BlockFilesystemType.FILESYSTEM_TYPE_VIRTIOFS && exported.has(v.mountLocation));
    const requests = new Map(
      list(NS.runtime, MOUNT_REQUEST.definition.type).map((r) => [
        r.id,
        r.spec as ReturnType<typeof spec<typeof MountRequestSpecSchema>>,
      ]),
    );
    const targets = new Map<string, string | undefined>();
    // A mount's target: its parent's target joined with its own; undefined while the parent is not mounted.
    const target = (id: string, depth = 0): string | undefined => {
      if (targets.has(id)) return targets.get(id);
      const req = requests.get(id);
      const volume = volumes.get(id);
      let t: string | undefined;
      if (req && volume && depth < 16) {
        const parent = req.parentMountId;
        const root = parent ? target(parent, depth + 1) : "/";
        t = root === undefined ? undefined : joinPath(root, volume.mountSpec?.targetPath ?? "");
      }
      targets.set(id, t);
      return t;
    };
    for (const [id, req] of requests) {
      const volume = volumes.get(id);
      const t = target(id);
      if (!volume || t === undefined || !mountable(volume)) continue;
      put(
        MOUNT_STATUS,
        NS.runtime,
        id,
        spec(MountStatusSpecSchema, {
          spec: req,
          source: volume.mountLocation,
          target: t,
          filesystem: volume.filesystem ?? BlockFilesystemType.FILESYSTEM_TYPE_NONE,
          encryptionProvider: volume.encryptionProvider,
          readOnly: req.readOnly,
          projectQuotaSupport: volume.mountSpec?.projectQuotaSupport ?? false,
          detached: req.detached,
        }),
      );
    }
  },
};

const volumeMountStatuses: Controller<MachineSource> = {
  name: "block.MountStatusController",
  inputs: [],
  reads: [at(MOUNT_STATUS.definition.type)],
  run({ put, list }) {
    for (const ms of list(NS.runtime, MOUNT_STATUS.definition.type)) {
      const s = ms.spec as ReturnType<typeof spec<typeof MountStatusSpecSchema>>;
      const req = s.spec;
      if (!req) continue;
      req.requesters.forEach((requester, i) => {
        const id = req.requesterIDs[i];
        if (id === undefined) return;
        put(
          VOLUME_MOUNT_STATUS,
          NS.runtime,
          id,
          spec(VolumeMountStatusSpecSchema, {
            volumeId: req.volumeId,
            requester,
            target: s.target,
            readOnly: req.readOnly,
            detached: s.detached,
            disableAccessTime: req.disableAccessTime,
            secure: req.secure,
            noExec: req.noExec,
          }),
          { labels: { "mount-status-id": ms.id } },
        );
      });
    }
  },
};

/** Bytes of a swap partition the kernel does not count (its header page). */
const SWAP_HEADER = 4096;

/** What /proc/swaps lists once swap volumes are mounted (siderolabs/talos: swap_status.go). */
const swapStatuses: Controller<MachineSource> = {
  name: "block.SwapStatusController",
  inputs: [],
  reads: [at(MOUNT_STATUS.definition.type)],
  run({ put, list, get }) {
    const swaps = list(NS.runtime, MOUNT_STATUS.definition.type)
      .map((r) => ({ id: r.id, s: r.spec as { source: string; filesystem: BlockFilesystemType } }))
      .filter((m) => m.s.filesystem === BlockFilesystemType.FILESYSTEM_TYPE_SWAP && m.s.source !== "");
    // The kernel gives swap areas without a priority decreasing ones from -2, in swapon order.
    swaps.forEach((m, i) => {
      const volume = get(NS.runtime, VOLUME_STATUS.definition.type, m.id)?.spec as
        | VolumeStatusSpec
        | undefined;
      const size = Math.max(0, Number(volume?.size ?? 0n) - SWAP_HEADER);
      put(
        SWAP_STATUS,
        NS.runtime,
        m.s.source,
        spec(SwapStatusSpecSchema, {
          device: m.s.source,
          type: "partition",
          sizeBytes: BigInt(size),
          sizeHuman: bytesIEC(size),
          usedBytes: 0n,
          usedHuman: bytesIEC(0),
          priority: -2 - i,
        }),
      );
    });
  },
};

export const BLOCK_MOUNT_CONTROLLERS: readonly Controller<MachineSource>[] = [
  volumeManager,
  sequencerMounts,
  mountRequests,
  mounts,
  volumeMountStatuses,
  swapStatuses,
];
