// ExistingVolumeConfig documents (siderolabs/talos: pkg/machinery/config/types/block/
// existing_volume_config.go, internal/app/machined/pkg/controllers/block/internal/volumes/
// volumeconfig/user_volumes.go): each becomes the VolumeConfig `e-<name>`, a partition volume
// without provisioning whose locator is the document's volume selector, mounted at
// /var/mnt/<name>, and a volume mount request carrying the document's mount flags. The volume
// manager never formats it (internal/volumes: locate.go, format.go): with no discovered volume
// matching, it is `missing`; a match without a filesystem fails with `filesystem not found on
// <device>`; otherwise it is ready with the filesystem found on it.
import type { DescMessage } from "@bufbuild/protobuf";
import {
  DiscoveredVolumeSpecSchema,
  LocatorSpecSchema,
  type MountSpec,
  MountSpecSchema,
  type VolumeConfigSpec,
  VolumeConfigSpecSchema,
  type VolumeStatusSpec,
  VolumeStatusSpecSchema,
} from "../../../gen/resource/definitions/block/block_pb.js";
import { BlockVolumePhase, BlockVolumeType } from "../../../gen/resource/definitions/enums/enums_pb.js";
import { bytesSI } from "../../../wire/index.js";
import { checkedExpr, spec } from "../../resources/index.js";
import type { MachineConfig } from "../config.js";
import { type CelObject, type CelValue, celMatches } from "./block-cel.js";
import { diskVolume, partitionVolume } from "./block-discovery.js";
import { type BlockLayout, filesystemType } from "./block-layout.js";

/** Prefix of existing volumes' ids (siderolabs/talos: constants.ExistingVolumePrefix). */
export const EXISTING_VOLUME_PREFIX = "e-";
/** Label of their VolumeConfigs (siderolabs/talos: block.ExistingVolumeLabel). */
export const EXISTING_VOLUME_LABEL = "talos.dev/existing-volume";

const EPHEMERAL_SELINUX = "system_u:object_r:ephemeral_t:s0";

export interface ExistingVolume {
  /** `e-<name>` */
  readonly id: string;
  readonly name: string;
  /** The volume selector; `false` (matches nothing) when the document has none. */
  readonly selector: string;
  readonly readOnly: boolean;
  /** `mount.disableAccessTime` and `mount.secure` (Talos v1.13+; secure unless turned off). */
  readonly disableAccessTime: boolean;
  readonly secure: boolean;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

/** The ExistingVolumeConfig documents of a config, in document order. */
export function existingVolumes(config: MachineConfig | undefined): ExistingVolume[] {
  if (!config) return [];
  return config.documents.documents.flatMap((d) => {
    if (d.kind !== "ExistingVolumeConfig") return [];
    const data = record(d.data);
    const match = record(record(data?.discovery)?.volumeSelector)?.match;
    const mount = record(data?.mount);
    const name = d.name ?? "";
    return [
      {
        id: `${EXISTING_VOLUME_PREFIX}${name}`,
        name,
        selector: typeof match === "string" && match.trim() !== "" ? match : "false",
        readOnly: mount?.readOnly === true,
        disableAccessTime: mount?.disableAccessTime === true,
        secure: mount?.secure !== false,
      },
    ];
  });
}

/** The mount spec of an existing volume: `/var/mnt/<name>`. */
export function existingVolumeMount(v: ExistingVolume): MountSpec {
  return spec(MountSpecSchema, {
    targetPath: v.name,
    parentId: "/var/mnt",
    selinuxLabel: EPHEMERAL_SELINUX,
    fileMode: 0o755,
  });
}

export function existingVolumeConfig(v: ExistingVolume): VolumeConfigSpec {
  return spec(VolumeConfigSpecSchema, {
    type: BlockVolumeType.VOLUME_TYPE_PARTITION,
    locator: spec(LocatorSpecSchema, { match: checkedExpr(v.selector) }),
    mount: existingVolumeMount(v),
  });
}

/** A message as a CEL object keyed by protobuf field name. */
function celObject(schema: DescMessage, msg: object): CelObject {
  const out: Record<string, CelValue> = {};
  for (const f of schema.fields) {
    out[f.name] = (msg as Record<string, unknown>)[f.localName] as CelValue;
  }
  return out;
}

/** The discovered volumes of a layout, in id order as the volume manager lists them. */
export function discoveredVolumes(layout: BlockLayout) {
  const all = layout.disks.flatMap((l) => [
    { id: l.disk.devPath.slice("/dev/".length), spec: diskVolume(l) },
    ...l.partitions.map((p) => ({ id: p.id, spec: partitionVolume(l, p) })),
  ]);
  return all.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The volume status of an existing volume over the machine's disks as they are now. */
export function existingVolumeStatus(layout: BlockLayout, v: ExistingVolume): VolumeStatusSpec {
  const mountSpec = existingVolumeMount(v);
  const found = discoveredVolumes(layout).find((dv) =>
    celMatches(v.selector, { volume: celObject(DiscoveredVolumeSpecSchema, dv.spec) }),
  )?.spec;
  if (!found)
    return spec(VolumeStatusSpecSchema, {
      phase: BlockVolumePhase.VOLUME_PHASE_MISSING,
      type: BlockVolumeType.VOLUME_TYPE_PARTITION,
      mountSpec,
    });
  const located = {
    type: BlockVolumeType.VOLUME_TYPE_PARTITION,
    location: found.devPath,
    mountLocation: found.devPath,
    partitionIndex: found.partitionIndex,
    parentLocation: found.parentDevPath,
    uuid: found.uuid,
    partitionUuid: found.partitionUuid,
    size: found.size,
    prettySize: bytesSI(Number(found.size)),
    mountSpec,
  };
  if (found.name === "")
    return spec(VolumeStatusSpecSchema, {
      ...located,
      phase: BlockVolumePhase.VOLUME_PHASE_FAILED,
      preFailPhase: BlockVolumePhase.VOLUME_PHASE_PREPARED,
      errorMessage: `filesystem not found on ${found.devPath}`,
    });
  return spec(VolumeStatusSpecSchema, {
    ...located,
    phase: BlockVolumePhase.VOLUME_PHASE_READY,
    filesystem: filesystemType(found.name),
  });
}
