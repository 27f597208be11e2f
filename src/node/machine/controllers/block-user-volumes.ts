// The user, raw and swap volume documents of a config (siderolabs/talos:
// pkg/machinery/config/types/block: user_volume_config.go, raw_volume_config.go,
// swap_volume_config.go), read as the volume configs they become: id, disk selector, sizes,
// filesystem and mount flags.
import type { ConfigDocument } from "../../../config/document.js";
import { humanizeParseBytes } from "../../../config/validate/go.js";
import type { MachineConfig } from "../config.js";

const MIB = 1_048_576;

/** Volume documents' size floor (siderolabs/talos: volumeconfig.MinUserVolumeSize). */
export const MIN_USER_VOLUME_SIZE = 100 * MIB;

export type UserVolumeKind = "user" | "raw" | "swap";

/** One user, raw or swap volume document, as the VolumeConfig it becomes. */
export interface UserVolume {
  /** `u-data`, `r-data`, `s-swap1`. */
  readonly id: string;
  readonly name: string;
  readonly kind: UserVolumeKind;
  /** `partition`, `directory` or `disk` (user volumes; raw and swap are partitions). */
  readonly volumeType: string;
  /** The disk selector expression; `false` (matches nothing) when the document has none. */
  readonly diskSelector: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** A `maxSize` given as a percentage of the free space. */
  readonly relativeMaxSize: number;
  readonly grow: boolean;
  /** `xfs`, `ext4`, `swap` or `none`. */
  readonly filesystem: string;
  readonly projectQuotaSupport: boolean;
  /** `mount.disableAccessTime` and `mount.secure` (on unless turned off) of a user volume. */
  readonly disableAccessTime: boolean;
  readonly secure: boolean;
}

const PREFIX: Readonly<Record<UserVolumeKind, string>> = { user: "u-", raw: "r-", swap: "s-" };
const KINDS: Readonly<Record<string, UserVolumeKind>> = {
  UserVolumeConfig: "user",
  RawVolumeConfig: "raw",
  SwapVolumeConfig: "swap",
};

function field(data: unknown, path: readonly string[]): unknown {
  let cur = data;
  for (const p of path) {
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

function bytes(v: unknown): { value: number; relative: number } {
  const s = v === undefined || v === null ? "" : String(v).trim();
  if (s === "") return { value: 0, relative: 0 };
  if (s.endsWith("%")) return { value: 0, relative: Number(s.slice(0, -1)) || 0 };
  const parsed = humanizeParseBytes(s);
  return { value: "value" in parsed ? parsed.value : 0, relative: 0 };
}

function userVolume(d: ConfigDocument, kind: UserVolumeKind): UserVolume {
  const name = d.name ?? "";
  const min = bytes(field(d.data, ["provisioning", "minSize"]));
  const max = bytes(field(d.data, ["provisioning", "maxSize"]));
  const match = field(d.data, ["provisioning", "diskSelector", "match"]);
  const fsType = field(d.data, ["filesystem", "type"]);
  return {
    id: `${PREFIX[kind]}${name}`,
    name,
    kind,
    volumeType: kind === "user" ? String(field(d.data, ["volumeType"]) ?? "partition") : "partition",
    diskSelector: typeof match === "string" && match.trim() !== "" ? match : "false",
    minSize: min.value || MIN_USER_VOLUME_SIZE,
    maxSize: max.value,
    relativeMaxSize: max.relative,
    grow: field(d.data, ["provisioning", "grow"]) === true,
    filesystem:
      kind === "swap"
        ? "swap"
        : kind === "raw"
          ? "none"
          : typeof fsType === "string" && fsType
            ? fsType
            : "xfs",
    projectQuotaSupport: field(d.data, ["filesystem", "projectQuotaSupport"]) === true,
    disableAccessTime: field(d.data, ["mount", "disableAccessTime"]) === true,
    secure: field(d.data, ["mount", "secure"]) !== false,
  };
}

/** The user, raw and swap volume documents of a config, in document order. */
export function userVolumes(config: MachineConfig | undefined): UserVolume[] {
  if (!config) return [];
  return config.documents.documents.flatMap((d) => {
    const kind = KINDS[d.kind];
    return kind ? [userVolume(d, kind)] : [];
  });
}
