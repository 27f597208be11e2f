// Trim and scrub settings from the config onto the volume configs and statuses, and the trim
// schedule: slots on a lattice offset by FNV-1a of node and volume, strictly after now.
import { describe, expect, it } from "vitest";
import type {
  FSScrubScheduleSpec,
  VolumeConfigSpec,
  VolumeStatusSpec,
  VolumeTrimScheduleSpec,
} from "../../../gen/resource/definitions/block/block_pb.js";
import { IdentitySpecSchema } from "../../../gen/resource/definitions/cluster/cluster_pb.js";
import { BlockFilesystemType } from "../../../gen/resource/definitions/enums/enums_pb.js";
import { createClock } from "../../clock.js";
import { parseDiskFlag } from "../../platform/index.js";
import { ControllerRuntime, messageKind, NS, ResourceStore, spec } from "../../resources/index.js";
import { type MachineConfig, parseMachineConfig } from "../config.js";
import { SystemVolumes } from "../volumes.js";
import { BLOCK_CONTROLLERS } from "./block.js";
import { BLOCK_DISCOVERY_CONTROLLERS } from "./block-discovery.js";
import { BLOCK_MOUNT_CONTROLLERS } from "./block-mounts.js";
import { BLOCK_TRIM_CONTROLLERS, duration, fnv64a, maintenance, nextScheduledTime } from "./block-trim.js";
import { BLOCK_VOLUME_CONTROLLERS } from "./block-volumes.js";
import { INPUT, type MachineSource } from "./source.js";

const MACHINE = `version: v1alpha1
machine:
  type: worker
  token: abcdef.0123456789abcdef
  ca:
    crt: ""
cluster:
  controlPlane:
    endpoint: https://127.0.0.1:6443
`;
const config = (...docs: string[]): MachineConfig => parseMachineConfig(MACHINE + docs.join(""));
const HOUR = 3600e9;
const doc = (kind: string, body: string) => `---\napiVersion: v1alpha1\nkind: ${kind}\n${body}`;

describe("trim and scrub settings", () => {
  it("come from the global documents, and a volume's own block turns them on unless it says otherwise", () => {
    expect(maintenance(undefined, undefined)).toEqual({ trimEnabled: false, scrubEnabled: false });
    expect(maintenance(config(), undefined)).toEqual({ trimEnabled: false, scrubEnabled: false });
    const global = config(
      doc("FilesystemTrimConfig", "interval: 24h\n"),
      doc("FilesystemScrubConfig", "interval: 72h\n"),
    );
    expect(maintenance(global, undefined)).toEqual({
      trimEnabled: true,
      trimInterval: duration(24 * HOUR),
      scrubEnabled: true,
      scrubInterval: duration(72 * HOUR),
    });
    expect(maintenance(global, { trim: { interval: "1h" }, scrub: { enabled: false } })).toEqual({
      trimEnabled: true,
      trimInterval: duration(HOUR),
      scrubEnabled: false,
    });
    // Without a global interval: trim needs one of its own; scrub runs weekly.
    expect(maintenance(config(), { trim: {}, scrub: {} })).toEqual({
      trimEnabled: false,
      scrubEnabled: true,
      scrubInterval: duration(7 * 24 * HOUR),
    });
    expect(maintenance(global, { trim: { enabled: false } }, { scrub: false })).toEqual({
      trimEnabled: false,
      scrubEnabled: false,
    });
  });

  it("schedule on a lattice offset by FNV-1a of the seed, the first slot strictly after now", () => {
    expect(fnv64a("")).toBe(0xcbf29ce484222325n);
    expect(fnv64a("a")).toBe(0xaf63dc4c8601ec8cn);
    expect(fnv64a("foobar")).toBe(0x85944171f73967e8n);
    const interval = BigInt(24 * HOUR);
    const now = 1_765_000_000_000_000_000n;
    const next = nextScheduledTime("node/EPHEMERAL", interval, now);
    expect(next > now && next - now <= interval).toBe(true);
    expect((next - (fnv64a("node/EPHEMERAL") % interval)) % interval).toBe(0n);
    // At the slot itself, the next one.
    expect(nextScheduledTime("node/EPHEMERAL", interval, next)).toBe(next + interval);
    expect(nextScheduledTime("node/EPHEMERAL", interval, next - 1n)).toBe(next);
    expect(nextScheduledTime("other/EPHEMERAL", interval, now)).not.toBe(next);
    expect(nextScheduledTime("x", 0n, now)).toBe(0n);
  });
});

describe("volume trim schedules", () => {
  it("follow the trimmed, ready volumes of the node", () => {
    const store = ResourceStore.forNode(createClock());
    const disks = [parseDiskFlag("/dev/sda:10GiB", 0), parseDiskFlag("/dev/sdb:20GiB", 1)];
    const volumes = new SystemVolumes({
      store,
      state: { dir: undefined } as never,
      systemDisk: disks[0],
      rootDir: "/nonexistent",
      log: () => undefined,
    });
    let active = config(
      doc("FilesystemTrimConfig", "interval: 24h\n"),
      doc(
        "UserVolumeConfig",
        `name: data\nprovisioning:\n  diskSelector:\n    match: "!system_disk"\n  maxSize: 1GiB\ntrim:\n  interval: 1h\nscrub:\n  interval: 48h\n`,
      ),
      doc(
        "RawVolumeConfig",
        `name: raw\nprovisioning:\n  diskSelector:\n    match: "!system_disk"\n  maxSize: 1GiB\n`,
      ),
    );
    let now = new Date("2026-12-08T00:00:00Z");
    const source = {
      disks,
      machineUuid: "uuid-1",
      installed: () => true,
      active: () => active,
      volumePartitions: () => volumes.partitions.list(),
      now: () => now,
    } as unknown as MachineSource;
    const rt = new ControllerRuntime(store, source, [
      ...BLOCK_CONTROLLERS,
      ...BLOCK_DISCOVERY_CONTROLLERS,
      ...BLOCK_VOLUME_CONTROLLERS,
      ...BLOCK_MOUNT_CONTROLLERS,
      ...BLOCK_TRIM_CONTROLLERS,
    ]);
    rt.start();
    volumes.mount();
    const get = <T>(type: string, id: string) => store.get(NS.runtime, type, id)?.spec as T | undefined;
    const vc = get<VolumeConfigSpec>("VolumeConfigs.block.talos.dev", "EPHEMERAL")!;
    expect([vc.trimEnabled, vc.trimInterval]).toEqual([true, duration(24 * HOUR)]);
    expect(get<VolumeConfigSpec>("VolumeConfigs.block.talos.dev", "r-raw")!.trimEnabled).toBe(false);
    const status = get<VolumeStatusSpec>("VolumeStatuses.block.talos.dev", "EPHEMERAL")!;
    expect([status.trimEnabled, status.trimInterval]).toEqual([true, duration(24 * HOUR)]);
    expect(get<VolumeStatusSpec>("VolumeStatuses.block.talos.dev", "u-data")!.trimInterval).toEqual(
      duration(HOUR),
    );

    // No schedule before the node has its identity.
    const schedules = () => store.list(NS.runtime, "VolumeTrimSchedules.block.talos.dev").map((r) => r.id);
    expect(schedules()).toEqual([]);
    store.set(
      messageKind("Identities.cluster.talos.dev", IdentitySpecSchema),
      NS.cluster,
      "local",
      spec(IdentitySpecSchema, { nodeId: "node-1" }),
    );
    // EPHEMERAL and STATE follow the global interval; META has no filesystem, the raw volume no trim.
    expect(schedules()).toEqual(["EPHEMERAL", "STATE", "u-data"]);
    const data = get<VolumeTrimScheduleSpec>("VolumeTrimSchedules.block.talos.dev", "u-data")!;
    expect(data.filesystem).toBe(BlockFilesystemType.FILESYSTEM_TYPE_XFS);
    expect(data.interval).toEqual(duration(HOUR));
    const nowNs = BigInt(now.getTime()) * 1_000_000n;
    const next = data.nextTrim!.seconds * 1_000_000_000n + BigInt(data.nextTrim!.nanos);
    expect(next).toBe(nextScheduledTime("node-1/u-data", BigInt(HOUR), nowNs));
    // Only the user volume asks for scrubbing.
    expect(store.list(NS.runtime, "FSScrubSchedules.block.talos.dev").map((r) => r.id)).toEqual(["u-data"]);
    const scrub = get<FSScrubScheduleSpec>("FSScrubSchedules.block.talos.dev", "u-data")!;
    expect([scrub.filesystem, scrub.interval]).toEqual([
      BlockFilesystemType.FILESYSTEM_TYPE_XFS,
      duration(48 * HOUR),
    ]);

    // Once the slot has passed, the machine's next tick moves the schedule to the following one.
    now = new Date(Number(next / 1_000_000n) + 1);
    rt.changed(INPUT.perf);
    const moved = get<VolumeTrimScheduleSpec>("VolumeTrimSchedules.block.talos.dev", "u-data")!.nextTrim!;
    expect(moved.seconds * 1_000_000_000n + BigInt(moved.nanos)).toBe(next + BigInt(HOUR));

    // Trim turned off globally: only the volume with its own block is left.
    active = config(
      doc(
        "UserVolumeConfig",
        `name: data\nprovisioning:\n  diskSelector:\n    match: "!system_disk"\n  maxSize: 1GiB\ntrim:\n  interval: 1h\n`,
      ),
    );
    rt.changed(INPUT.config);
    expect(get<VolumeStatusSpec>("VolumeStatuses.block.talos.dev", "EPHEMERAL")!.trimEnabled).toBe(false);
    expect(schedules()).toEqual(["u-data"]);
  });
});
