// ExternalVolumeConfig documents (siderolabs/talos: pkg/machinery/config/types/block/
// external_volume_config.go, internal/app/machined/pkg/controllers/block/internal/volumes/
// volumeconfig/user_volumes.go, internal/volumes/locate.go): each becomes the VolumeConfig
// `x-<name>` of type external, its source (a virtiofs share's tag) in the provisioning's disk
// selector, mounted at /var/mnt/<name>. Nothing is located or formatted: the volume manager
// reports it ready with the source as its location, and the mount controller mounts the share
// there if the host exports it.
import {
  DiskSelectorSchema,
  FilesystemSpecSchema,
  type MountSpec,
  MountSpecSchema,
  ProvisioningSpecSchema,
  type VolumeConfigSpec,
  VolumeConfigSpecSchema,
  type VolumeStatusSpec,
  VolumeStatusSpecSchema,
} from "../../../gen/resource/definitions/block/block_pb.js";
import { BlockVolumePhase, BlockVolumeType } from "../../../gen/resource/definitions/enums/enums_pb.js";
import { spec } from "../../resources/index.js";
import type { MachineConfig } from "../config.js";
import { filesystemType } from "./block-layout.js";

/** Prefix of external volumes' ids (siderolabs/talos: constants.ExternalVolumePrefix). */
export const EXTERNAL_VOLUME_PREFIX = "x-";
/** Label of their VolumeConfigs (siderolabs/talos: block.ExternalVolumeLabel). */
export const EXTERNAL_VOLUME_LABEL = "talos.dev/external-volume";

const EPHEMERAL_SELINUX = "system_u:object_r:ephemeral_t:s0";

export interface ExternalVolume {
  /** `x-<name>` */
  readonly id: string;
  readonly name: string;
  /** `virtiofs` (the only type the config accepts). */
  readonly filesystem: string;
  /** Where it comes from: the virtiofs share's tag. */
  readonly source: string;
  readonly readOnly: boolean;
  readonly disableAccessTime: boolean;
  /** `mount.secure`, on unless the document turns it off. */
  readonly secure: boolean;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** The ExternalVolumeConfig documents of a config, in document order. */
export function externalVolumes(config: MachineConfig | undefined): ExternalVolume[] {
  if (!config) return [];
  return config.documents.documents.flatMap((d) => {
    if (d.kind !== "ExternalVolumeConfig") return [];
    const data = record(d.data);
    const mount = record(data?.mount);
    const filesystem = typeof data?.filesystemType === "string" ? data.filesystemType : "none";
    const tag = record(mount?.virtiofs)?.tag;
    const name = d.name ?? "";
    return [
      {
        id: `${EXTERNAL_VOLUME_PREFIX}${name}`,
        name,
        filesystem,
        source: filesystem === "virtiofs" && typeof tag === "string" ? tag : "",
        readOnly: mount?.readOnly === true,
        disableAccessTime: mount?.disableAccessTime === true,
        secure: mount?.secure !== false,
      },
    ];
  });
}

/** The mount spec of an external volume: `/var/mnt/<name>`. */
export function externalVolumeMount(v: ExternalVolume): MountSpec {
  return spec(MountSpecSchema, {
    targetPath: v.name,
    parentId: "/var/mnt",
    selinuxLabel: EPHEMERAL_SELINUX,
    fileMode: 0o755,
  });
}

export function externalVolumeConfig(v: ExternalVolume): VolumeConfigSpec {
  return spec(VolumeConfigSpecSchema, {
    type: BlockVolumeType.VOLUME_TYPE_EXTERNAL,
    provisioning: spec(ProvisioningSpecSchema, {
      wave: 0n,
      diskSelector: spec(DiskSelectorSchema, { external: v.source }),
      filesystemSpec: spec(FilesystemSpecSchema, { type: filesystemType(v.filesystem) }),
    }),
    mount: externalVolumeMount(v),
  });
}

/** The volume manager's status of an external volume: ready, located at its source. */
export function externalVolumeStatus(v: ExternalVolume): VolumeStatusSpec {
  return spec(VolumeStatusSpecSchema, {
    phase: BlockVolumePhase.VOLUME_PHASE_READY,
    type: BlockVolumeType.VOLUME_TYPE_EXTERNAL,
    location: v.source,
    mountLocation: v.source,
    filesystem: filesystemType(v.filesystem),
    mountSpec: externalVolumeMount(v),
  });
}
