// The volume configs Talos derives from the machine config (siderolabs/talos:
// internal/app/machined/pkg/controllers/block/volume_config.go and
// internal/volumes/volumeconfig: system_volumes.go, user_volumes.go): META, STATE and EPHEMERAL
// on the system disk, the /var/mnt directory the user volumes mount under, and one VolumeConfig
// per UserVolumeConfig (`u-<name>`), RawVolumeConfig (`r-<name>`) and SwapVolumeConfig
// (`s-<name>`) document (ExistingVolumeConfig: block-existing.ts), with the volume mount requests the controller files for them; and the
// user disk status of block.UserDiskConfigController.
import {
  DiskSelectorSchema,
  FilesystemSpecSchema,
  LocatorSpecSchema,
  type MountSpec,
  MountSpecSchema,
  PartitionSpecSchema,
  ProvisioningSpecSchema,
  UserDiskConfigStatusSpecSchema,
  type VolumeConfigSpec,
  VolumeConfigSpecSchema,
  VolumeMountRequestSpecSchema,
} from "../../../gen/resource/definitions/block/block_pb.js";
import { BlockFilesystemType, BlockVolumeType } from "../../../gen/resource/definitions/enums/enums_pb.js";
import { type Controller, checkedExpr, messageKind, NS, spec } from "../../resources/index.js";
import { isComplete, type MachineConfig } from "../config.js";
import { EXISTING_VOLUME_LABEL, existingVolumeConfig, existingVolumes } from "./block-existing.js";
import { EXTERNAL_VOLUME_LABEL, externalVolumeConfig, externalVolumes } from "./block-external.js";
import { filesystemType, PARTITION_TYPE } from "./block-layout.js";
import { documentMaintenance, maintenance, volumeDoc } from "./block-trim.js";
import { type UserVolume, userVolumes } from "./block-user-volumes.js";
import { diskQuotaSupport } from "./cluster-facts.js";
import { INPUT, type MachineSource } from "./source.js";

export const VOLUME_CONFIG = messageKind("VolumeConfigs.block.talos.dev", VolumeConfigSpecSchema);
export const VOLUME_MOUNT_REQUEST = messageKind(
  "VolumeMountRequests.block.talos.dev",
  VolumeMountRequestSpecSchema,
);
const USER_DISK_CONFIG_STATUS = messageKind(
  "UserDiskConfigStatuses.block.talos.dev",
  UserDiskConfigStatusSpecSchema,
);

export const VOLUME_CONFIG_CONTROLLER = "block.VolumeConfigController";

/** Labels of the volume configs (siderolabs/talos: pkg/machinery/resources/block/block.go). */
export const LABEL = {
  system: "talos.dev/system-volume",
  user: "talos.dev/user-volume",
  raw: "talos.dev/raw-volume",
  swap: "talos.dev/swap-volume",
} as const;

/** Where user volumes mount (siderolabs/talos: constants.UserVolumeMountPoint). */
export const USER_VOLUME_MOUNT_POINT = "/var/mnt";
const EPHEMERAL_SELINUX = "system_u:object_r:ephemeral_t:s0";
const STATE_SELINUX = "system_u:object_r:system_state_t:s0";
const WAVE_SYSTEM_DISK = -1n;
const WAVE_USER_VOLUMES = 0n;
const MIB = 1_048_576n;
const EPHEMERAL_MIN_SIZE = 2n * 1024n * MIB;

const labelMatch = (label: string) => checkedExpr(`volume.partition_label == '${label}'`);

function locator(expression: string) {
  return spec(LocatorSpecSchema, { match: checkedExpr(expression) });
}

function partitionProvisioning(
  wave: bigint,
  selector: string,
  partition: { min: bigint; max: bigint; relative?: bigint; grow: boolean; label: string; type: string },
  fs: { type: BlockFilesystemType; label?: string },
) {
  return spec(ProvisioningSpecSchema, {
    wave,
    diskSelector: spec(DiskSelectorSchema, { match: checkedExpr(selector) }),
    partitionSpec: spec(PartitionSpecSchema, {
      minSize: partition.min,
      maxSize: partition.max,
      relativeMaxSize: partition.relative ?? 0n,
      grow: partition.grow,
      label: partition.label,
      typeUuid: partition.type,
    }),
    filesystemSpec: spec(FilesystemSpecSchema, { type: fs.type, label: fs.label ?? "" }),
  });
}

/** The mount spec of a user volume: `/var/mnt/<name>`. */
export function userVolumeMount(v: UserVolume): MountSpec | undefined {
  if (v.kind === "raw" || v.kind === "swap") return undefined;
  return spec(MountSpecSchema, {
    targetPath: v.name,
    parentId: USER_VOLUME_MOUNT_POINT,
    selinuxLabel: EPHEMERAL_SELINUX,
    fileMode: 0o755,
    ...(v.volumeType === "directory"
      ? { bindTarget: v.name }
      : { projectQuotaSupport: v.projectQuotaSupport }),
  });
}

/** The mount spec of the /var/mnt directory volume. */
export const USER_MOUNT_POINT_MOUNT = spec(MountSpecSchema, {
  targetPath: "mnt",
  parentId: "EPHEMERAL",
  selinuxLabel: EPHEMERAL_SELINUX,
  fileMode: 0o755,
});

/** The system volumes' configs; EPHEMERAL and /var/mnt only once the config has a machine. */
export function systemVolumeConfigs(config: MachineConfig | undefined): [string, VolumeConfigSpec][] {
  const complete = isComplete(config);
  const out: [string, VolumeConfigSpec][] = [
    [
      "META",
      spec(VolumeConfigSpecSchema, {
        type: BlockVolumeType.VOLUME_TYPE_PARTITION,
        locator: locator(
          "volume.partition_label == 'META' && volume.name in ['', 'talosmeta'] && volume.size == 1048576u",
        ),
      }),
    ],
  ];
  const stateMount = spec(MountSpecSchema, {
    targetPath: "/system/state",
    selinuxLabel: STATE_SELINUX,
    fileMode: 0o700,
  });
  out.push([
    "STATE",
    complete
      ? spec(VolumeConfigSpecSchema, {
          ...maintenance(config, volumeDoc(config, "VolumeConfig", "STATE")),
          type: BlockVolumeType.VOLUME_TYPE_PARTITION,
          mount: stateMount,
          provisioning: partitionProvisioning(
            WAVE_SYSTEM_DISK,
            "system_disk",
            { min: 100n * MIB, max: 100n * MIB, grow: false, label: "STATE", type: PARTITION_TYPE.linuxData },
            { type: BlockFilesystemType.FILESYSTEM_TYPE_XFS, label: "STATE" },
          ),
          locator: spec(LocatorSpecSchema, { match: labelMatch("STATE") }),
        })
      : spec(VolumeConfigSpecSchema, {
          type: BlockVolumeType.VOLUME_TYPE_PARTITION,
          mount: stateMount,
          locator: locator("volume.partition_label == 'STATE' && volume.name != ''"),
        }),
  ]);
  if (!complete) return out;
  out.push([
    "EPHEMERAL",
    spec(VolumeConfigSpecSchema, {
      ...maintenance(config, volumeDoc(config, "VolumeConfig", "EPHEMERAL")),
      type: BlockVolumeType.VOLUME_TYPE_PARTITION,
      provisioning: partitionProvisioning(
        WAVE_SYSTEM_DISK,
        "system_disk",
        { min: EPHEMERAL_MIN_SIZE, max: 0n, grow: true, label: "EPHEMERAL", type: PARTITION_TYPE.linuxData },
        { type: BlockFilesystemType.FILESYSTEM_TYPE_XFS, label: "EPHEMERAL" },
      ),
      mount: spec(MountSpecSchema, {
        targetPath: "/var",
        selinuxLabel: EPHEMERAL_SELINUX,
        fileMode: 0o755,
        projectQuotaSupport: diskQuotaSupport(config),
      }),
      locator: spec(LocatorSpecSchema, { match: labelMatch("EPHEMERAL") }),
    }),
  ]);
  out.push([
    USER_VOLUME_MOUNT_POINT,
    spec(VolumeConfigSpecSchema, {
      type: BlockVolumeType.VOLUME_TYPE_DIRECTORY,
      mount: USER_MOUNT_POINT_MOUNT,
    }),
  ]);
  return out;
}

/** A user, raw or swap volume document's VolumeConfig. */
export function userVolumeConfig(v: UserVolume): VolumeConfigSpec {
  const mount = userVolumeMount(v);
  if (v.volumeType === "directory")
    return spec(VolumeConfigSpecSchema, {
      type: BlockVolumeType.VOLUME_TYPE_DIRECTORY,
      ...(mount ? { mount } : {}),
    });
  // A whole disk: found by the disk selector itself, formatted without a partition table.
  if (v.volumeType === "disk")
    return spec(VolumeConfigSpecSchema, {
      type: BlockVolumeType.VOLUME_TYPE_DISK,
      locator: spec(LocatorSpecSchema, { diskMatch: checkedExpr(v.diskSelector) }),
      provisioning: spec(ProvisioningSpecSchema, {
        wave: WAVE_USER_VOLUMES,
        diskSelector: spec(DiskSelectorSchema, { match: checkedExpr(v.diskSelector) }),
        partitionSpec: spec(PartitionSpecSchema, { typeUuid: PARTITION_TYPE.linuxData }),
        filesystemSpec: spec(FilesystemSpecSchema, { type: filesystemType(v.filesystem) }),
      }),
      ...(mount ? { mount } : {}),
    });
  return spec(VolumeConfigSpecSchema, {
    type: BlockVolumeType.VOLUME_TYPE_PARTITION,
    locator: spec(LocatorSpecSchema, { match: labelMatch(v.id) }),
    provisioning: partitionProvisioning(
      WAVE_USER_VOLUMES,
      v.diskSelector,
      {
        min: BigInt(v.minSize),
        max: BigInt(v.maxSize),
        relative: BigInt(v.relativeMaxSize),
        grow: v.grow,
        label: v.id,
        type: v.kind === "swap" ? PARTITION_TYPE.swap : PARTITION_TYPE.linuxData,
      },
      { type: filesystemType(v.filesystem) },
    ),
    ...(mount ? { mount } : {}),
  });
}

/** Since Talos v1.14 a secure mount is also mounted noexec. */
function noExecWhenSecure(talosVersion: string): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(talosVersion);
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  return major > 1 || (major === 1 && minor >= 14);
}

/** The mount flags a volume document asks for, as its VolumeMountRequest carries them. */
function mountFlags(
  v: { readOnly?: boolean; disableAccessTime: boolean; secure: boolean },
  talosVersion: string,
) {
  return {
    readOnly: v.readOnly ?? false,
    disableAccessTime: v.disableAccessTime,
    secure: v.secure,
    noExec: v.secure && noExecWhenSecure(talosVersion),
  };
}

const volumeConfigs: Controller<MachineSource> = {
  name: VOLUME_CONFIG_CONTROLLER,
  inputs: [INPUT.config],
  run({ source, put }) {
    // The request that keeps /var/mnt mounted, filed whatever the config says.
    put(
      VOLUME_MOUNT_REQUEST,
      NS.runtime,
      USER_VOLUME_MOUNT_POINT,
      spec(VolumeMountRequestSpecSchema, {
        volumeId: USER_VOLUME_MOUNT_POINT,
        requester: VOLUME_CONFIG_CONTROLLER,
      }),
    );
    const config = source.active();
    for (const [id, vc] of systemVolumeConfigs(config)) {
      put(VOLUME_CONFIG, NS.runtime, id, vc, { labels: { [LABEL.system]: "" } });
    }
    for (const v of userVolumes(config)) {
      put(
        VOLUME_CONFIG,
        NS.runtime,
        v.id,
        { ...userVolumeConfig(v), ...documentMaintenance(config, v) },
        { labels: { [LABEL[v.kind]]: "" } },
      );
      // Raw volumes are never mounted; swap volumes take no mount flags.
      if (v.kind === "raw") continue;
      put(
        VOLUME_MOUNT_REQUEST,
        NS.runtime,
        v.id,
        spec(VolumeMountRequestSpecSchema, {
          volumeId: v.id,
          requester: VOLUME_CONFIG_CONTROLLER,
          ...(v.kind === "user" ? mountFlags(v, source.talosVersion) : {}),
        }),
        { labels: { [LABEL.user]: "" } },
      );
    }
    for (const v of existingVolumes(config)) {
      put(
        VOLUME_CONFIG,
        NS.runtime,
        v.id,
        { ...existingVolumeConfig(v), ...documentMaintenance(config, { kind: "existing", name: v.name }) },
        { labels: { [EXISTING_VOLUME_LABEL]: "" } },
      );
      put(
        VOLUME_MOUNT_REQUEST,
        NS.runtime,
        v.id,
        spec(VolumeMountRequestSpecSchema, {
          volumeId: v.id,
          requester: VOLUME_CONFIG_CONTROLLER,
          ...mountFlags(v, source.talosVersion),
        }),
        { labels: { [LABEL.user]: "" } },
      );
    }
    for (const v of externalVolumes(config)) {
      put(VOLUME_CONFIG, NS.runtime, v.id, externalVolumeConfig(v), {
        labels: { [EXTERNAL_VOLUME_LABEL]: "" },
      });
      put(
        VOLUME_MOUNT_REQUEST,
        NS.runtime,
        v.id,
        spec(VolumeMountRequestSpecSchema, {
          volumeId: v.id,
          requester: VOLUME_CONFIG_CONTROLLER,
          ...mountFlags(v, source.talosVersion),
        }),
        { labels: { [LABEL.user]: "" } },
      );
    }
  },
};

/** `user-disks`: ready once the config has a machine (no `.machine.disks` are emulated). */
const userDiskConfig: Controller<MachineSource> = {
  name: "block.UserDiskConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    if (!isComplete(source.active())) return;
    put(
      USER_DISK_CONFIG_STATUS,
      NS.runtime,
      "user-disks",
      spec(UserDiskConfigStatusSpecSchema, { ready: true, tornDown: true }),
    );
  },
};

export const BLOCK_VOLUME_CONTROLLERS: readonly Controller<MachineSource>[] = [volumeConfigs, userDiskConfig];
