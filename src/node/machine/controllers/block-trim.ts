// Periodic filesystem maintenance of the volumes (siderolabs/talos:
// internal/app/machined/pkg/controllers/block/internal/volumes/volumeconfig: trim.go, scrub.go;
// volume_trim_schedule.go; pkg/machinery/resources/block/schedule.go): whether a volume is
// trimmed and scrubbed and how often, from the FilesystemTrimConfig and FilesystemScrubConfig
// documents and a volume document's own `trim` and `scrub` blocks; and the VolumeTrimSchedule of
// each ready volume that is trimmed (fs_scrub_schedule.go: the FSScrubSchedule of each ready XFS
// volume that is scrubbed), its next slot on a lattice offset by a hash of the node and volume,
// so the runs of a cluster spread over the interval and stay put across reboots.
import { type Duration, DurationSchema, type Timestamp, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { goParseDuration } from "../../../config/validate/go.js";
import {
  FSScrubScheduleSpecSchema,
  type VolumeStatusSpec,
  VolumeTrimScheduleSpecSchema,
} from "../../../gen/resource/definitions/block/block_pb.js";
import {
  BlockEncryptionProviderType,
  BlockFilesystemType,
  BlockVolumePhase,
  BlockVolumeType,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import { type Controller, messageKind, NS, type ResourceKind, spec } from "../../resources/index.js";
import type { MachineConfig } from "../config.js";
import { INPUT, type MachineSource } from "./source.js";

const VOLUME_TRIM_SCHEDULE = messageKind("VolumeTrimSchedules.block.talos.dev", VolumeTrimScheduleSpecSchema);
const FS_SCRUB_SCHEDULE = messageKind("FSScrubSchedules.block.talos.dev", FSScrubScheduleSpecSchema);

/** Scrub interval of a volume that asks for scrubbing without one (constants.DefaultFilesystemScrubInterval). */
const DEFAULT_SCRUB_NS = 7 * 24 * 3600 * 1e9;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;

/** A Go duration of a document (`interval: 24h`); 0 when unset or not one. */
function interval(v: unknown): number {
  return typeof v === "string" ? (goParseDuration(v) ?? 0) : 0;
}

function globalInterval(config: MachineConfig | undefined, kind: string): number {
  const doc = config?.documents.documents.find((d) => d.kind === kind);
  return doc ? interval(obj(doc.data)?.interval) : 0;
}

/** A duration in nanoseconds as a protobuf Duration. */
export function duration(ns: number): Duration {
  return spec(DurationSchema, { seconds: BigInt(Math.floor(ns / 1e9)), nanos: ns % 1e9 });
}

export interface Maintenance {
  readonly trimEnabled: boolean;
  readonly trimInterval?: Duration;
  readonly scrubEnabled: boolean;
  readonly scrubInterval?: Duration;
}

/**
 * The trim and scrub settings of a volume: the global interval turns each on; a volume's own
 * block turns it on unless it says `enabled: false`, and may set its own interval (scrubbing
 * asked for without any interval runs weekly). `scrub: false` for volumes Talos never scrubs.
 */
export function maintenance(
  config: MachineConfig | undefined,
  volumeDoc: unknown,
  opts: { readonly scrub: boolean } = { scrub: true },
): Maintenance {
  if (!config) return { trimEnabled: false, scrubEnabled: false };
  const own = obj(volumeDoc);
  let trimOn = false;
  let trimNs = globalInterval(config, "FilesystemTrimConfig");
  trimOn = trimNs > 0;
  const trim = obj(own?.trim);
  if (trim) {
    trimOn = trim.enabled !== false;
    trimNs = interval(trim.interval) || trimNs;
  }
  const out: { -readonly [K in keyof Maintenance]: Maintenance[K] } = {
    trimEnabled: false,
    scrubEnabled: false,
  };
  if (trimOn && trimNs > 0) Object.assign(out, { trimEnabled: true, trimInterval: duration(trimNs) });
  if (!opts.scrub) return out;
  let scrubNs = globalInterval(config, "FilesystemScrubConfig");
  let scrubOn = scrubNs > 0;
  const scrub = obj(own?.scrub);
  if (scrub) {
    scrubOn = scrub.enabled !== false;
    scrubNs = interval(scrub.interval) || scrubNs || DEFAULT_SCRUB_NS;
  }
  if (scrubOn && scrubNs > 0) Object.assign(out, { scrubEnabled: true, scrubInterval: duration(scrubNs) });
  return out;
}

/** The data of the config's `kind` document named `name` (`VolumeConfig` EPHEMERAL, `UserVolumeConfig` data). */
export function volumeDoc(config: MachineConfig | undefined, kind: string, name: string): unknown {
  return config?.documents.documents.find((d) => d.kind === kind && d.name === name)?.data;
}

/** What a user, raw, swap or existing volume's document says of its maintenance. */
export function documentMaintenance(
  config: MachineConfig | undefined,
  v: {
    readonly kind: "user" | "raw" | "swap" | "existing";
    readonly name: string;
    readonly volumeType?: string;
  },
): Maintenance {
  // Raw and swap volumes carry no filesystem to trim; directories are EPHEMERAL's.
  if (v.kind === "raw" || v.kind === "swap" || v.volumeType === "directory")
    return { trimEnabled: false, scrubEnabled: false };
  const kind = v.kind === "user" ? "UserVolumeConfig" : "ExistingVolumeConfig";
  return maintenance(config, volumeDoc(config, kind, v.name));
}

/** 64-bit FNV-1a of a text's UTF-8 bytes. */
export function fnv64a(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of Buffer.from(text, "utf8")) {
    h ^= BigInt(b);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h;
}

/** The first slot strictly after `now` (ns since the epoch) of the seed's lattice of `interval` ns. */
export function nextScheduledTime(seed: string, intervalNs: bigint, nowNs: bigint): bigint {
  if (intervalNs <= 0n) return 0n;
  const anchor = fnv64a(seed) % intervalNs;
  const diff = nowNs - anchor;
  let k = diff / intervalNs;
  if (diff % intervalNs < 0n) k -= 1n;
  let slot = anchor + k * intervalNs;
  if (slot <= nowNs) slot += intervalNs;
  return slot;
}

const TRIMMABLE = new Set([
  BlockFilesystemType.FILESYSTEM_TYPE_XFS,
  BlockFilesystemType.FILESYSTEM_TYPE_EXT4,
  BlockFilesystemType.FILESYSTEM_TYPE_BTRFS,
]);

/** Ready partition or disk volumes with trimming on and a filesystem that can discard. */
function trimEligible(s: VolumeStatusSpec): boolean {
  return (
    s.trimEnabled &&
    s.trimInterval !== undefined &&
    s.phase === BlockVolumePhase.VOLUME_PHASE_READY &&
    (s.type === BlockVolumeType.VOLUME_TYPE_PARTITION || s.type === BlockVolumeType.VOLUME_TYPE_DISK) &&
    TRIMMABLE.has(s.filesystem) &&
    (s.encryptionProvider === BlockEncryptionProviderType.ENCRYPTION_PROVIDER_NONE ||
      s.encryptionAllowDiscards)
  );
}

const ns = (d: Duration): bigint => d.seconds * 1_000_000_000n + BigInt(d.nanos);

function timestamp(nsSinceEpoch: bigint): Timestamp {
  return spec(TimestampSchema, {
    seconds: nsSinceEpoch / 1_000_000_000n,
    nanos: Number(nsSinceEpoch % 1_000_000_000n),
  });
}

/** Ready XFS volumes with scrubbing on (only XFS is scrubbed online). */
function scrubEligible(s: VolumeStatusSpec): boolean {
  return (
    s.scrubEnabled &&
    s.scrubInterval !== undefined &&
    s.phase === BlockVolumePhase.VOLUME_PHASE_READY &&
    s.filesystem === BlockFilesystemType.FILESYSTEM_TYPE_XFS
  );
}

const READS = [
  { namespace: NS.runtime, type: "VolumeStatuses.block.talos.dev" },
  { namespace: NS.cluster, type: "Identities.cluster.talos.dev" },
];

/**
 * A schedule per eligible volume, its next slot after now. The controllers also re-run on the
 * machine's periodic tick, so a slot that has passed moves on to the next one, as Talos's timer
 * wakes its controllers at the earliest slot.
 */
function scheduleController<S>(
  name: string,
  kind: ResourceKind<S>,
  interval: (s: VolumeStatusSpec) => Duration | undefined,
  schedule: (s: VolumeStatusSpec, interval: Duration, next: Timestamp) => S,
): Controller<MachineSource> {
  return {
    name,
    inputs: [INPUT.perf],
    reads: READS,
    run({ source, get, list, put }) {
      const identity = get(NS.cluster, "Identities.cluster.talos.dev", "local")?.spec as
        | { nodeId?: string }
        | undefined;
      if (!identity?.nodeId) return;
      const now = BigInt(source.now().getTime()) * 1_000_000n;
      for (const r of list(NS.runtime, "VolumeStatuses.block.talos.dev")) {
        const s = r.spec as VolumeStatusSpec;
        const every = interval(s);
        if (!every) continue;
        const next = timestamp(nextScheduledTime(`${identity.nodeId}/${r.id}`, ns(every), now));
        put(kind, NS.runtime, r.id, schedule(s, every, next));
      }
    },
  };
}

const trimSchedules = scheduleController(
  "block.VolumeTrimScheduleController",
  VOLUME_TRIM_SCHEDULE,
  (s) => (trimEligible(s) ? s.trimInterval : undefined),
  (s, interval, nextTrim) =>
    spec(VolumeTrimScheduleSpecSchema, { filesystem: s.filesystem, interval, nextTrim }),
);

const scrubSchedules = scheduleController(
  "block.FSScrubScheduleController",
  FS_SCRUB_SCHEDULE,
  (s) => (scrubEligible(s) ? s.scrubInterval : undefined),
  (s, interval, nextScrub) =>
    spec(FSScrubScheduleSpecSchema, { filesystem: s.filesystem, interval, nextScrub }),
);

export const BLOCK_TRIM_CONTROLLERS: readonly Controller<MachineSource>[] = [trimSchedules, scrubSchedules];
