// talosctl diskfree (df) [volume ID]: space (or with -i inodes) of the volumes each node has
// mounted with a filesystem of their own. The volumes come from the VolumeStatus resources,
// their numbers from statfs of each mount point (machine.StorageService.Statfs).
import { fromBinary } from "@bufbuild/protobuf";
import { type NodeClient, openClient, type Statfs, specData, statfs } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import type { Resource } from "../../../gen/cosi/resource/resource_pb.js";
import { VolumeStatusSpecSchema } from "../../../gen/resource/definitions/block/block_pb.js";
import {
  BlockFilesystemType,
  BlockVolumePhase,
  BlockVolumeType,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import { bytesIEC, countSI } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions, outputFlag } from "../../flags.js";
import { printNodeTable } from "../../node-table.js";
import { parseOutputFormat } from "../../output/index.js";

const FORMATS = ["table", "json"] as const;

const VOLUME_STATUS_TYPE = "VolumeStatuses.block.talos.dev";
const VOLUME_NAMESPACE = "runtime";

/** What diskfree needs of a VolumeStatus, from its protobuf spec or, failing that, its YAML. */
interface VolumeView {
  readonly id: string;
  /** `ready`, `waiting`, ... */
  readonly phase: string;
  /** `partition`, `disk`, `tmpfs`, `directory`, `symlink`, `overlay`, `external` */
  readonly type: string;
  /** `xfs`, `vfat`, `swap`, `none`, ... */
  readonly filesystem: string;
  /** The device the filesystem is on. */
  readonly source: string;
  /** Where it is mounted ("" when it is not). */
  readonly target: string;
}

const enumName = (names: Record<number, string>, value: number, prefix: string): string =>
  (names[value] ?? String(value)).replace(prefix, "").toLowerCase();

function volumeView(resource: Resource): VolumeView {
  const id = resource.metadata?.id ?? "";
  const proto = resource.spec?.protoSpec;
  if (proto && proto.length > 0) {
    const s = fromBinary(VolumeStatusSpecSchema, proto);
    return {
      id,
      phase: enumName(BlockVolumePhase, s.phase, "VOLUME_PHASE_"),
      type: enumName(BlockVolumeType, s.type, "VOLUME_TYPE_"),
      filesystem: enumName(BlockFilesystemType, s.filesystem, "FILESYSTEM_TYPE_"),
      source: s.mountLocation || s.location,
      target: s.mountSpec?.targetPath ?? "",
    };
  }
  const y = specData(resource);
  const o = (y !== null && typeof y === "object" ? y : {}) as Record<string, unknown>;
  const text = (v: unknown): string => (typeof v === "string" ? v : "");
  const mount = (o.mountSpec !== null && typeof o.mountSpec === "object" ? o.mountSpec : {}) as Record<
    string,
    unknown
  >;
  return {
    id,
    phase: text(o.phase),
    type: text(o.type) || "partition",
    filesystem: text(o.filesystem) || "none",
    source: text(o.mountLocation) || text(o.location),
    target: text(mount.targetPath),
  };
}

/** Why a volume named on the command line cannot be shown, or undefined when it can. */
function unusable(v: VolumeView): string | undefined {
  if (v.phase !== "ready") return `volume ${JSON.stringify(v.id)} is not ready (phase: ${v.phase})`;
  if (v.type === "directory" || v.type === "symlink" || v.type === "overlay") {
    return `volume ${JSON.stringify(v.id)} is a ${v.type} volume, which does not have its own filesystem`;
  }
  if (v.filesystem === "swap")
    return `volume ${JSON.stringify(v.id)} is a swap volume, which does not have a filesystem`;
  return undefined;
}

interface Row {
  readonly volume: VolumeView;
  readonly statfs: Statfs;
}

async function collect(node: NodeClient, volumeId: string | undefined): Promise<Row[]> {
  const volumes: VolumeView[] = [];
  for await (const item of node.cosi.list({ namespace: VOLUME_NAMESPACE, type: VOLUME_STATUS_TYPE })) {
    if (item.resource) volumes.push(volumeView(item.resource));
  }
  let chosen: VolumeView[];
  if (volumeId !== undefined) {
    const v = volumes.find((x) => x.id === volumeId);
    if (!v) throw new UserError(`volume ${JSON.stringify(volumeId)} not found`);
    const why = unusable(v);
    if (why) throw new UserError(why);
    if (v.target === "" || v.source === "")
      throw new UserError(`volume ${JSON.stringify(volumeId)} not mounted`);
    chosen = [v];
  } else {
    chosen = volumes.filter((v) => unusable(v) === undefined && v.target !== "" && v.source !== "");
  }
  const rows: Row[] = [];
  for (const v of chosen.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    try {
      rows.push({ volume: v, statfs: await statfs(node, v.target) });
    } catch (err) {
      throw new UserError(
        `error calling statfs on ${JSON.stringify(v.target)}: ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
  }
  return rows;
}

/** used/total, rounded up, as df shows it ("-" for an empty total). */
function percent(used: number, total: number): string {
  if (total === 0) return "-";
  return `${Math.ceil((used * 100) / total)}%`;
}

export const command = defineCommand({
  use: "[volume ID]",
  args: args.max(1),
  flags: {
    ...connectionFlags,
    ...outputFlag(FORMATS, "table"),
    bytes: flag.bool({ short: "b", describe: "print sizes in bytes rather than in human-readable format" }),
    inodes: flag.bool({ short: "i", describe: "list inode information instead of block usage" }),
  },
  examples: [
    ["$0", "space of every mounted volume"],
    ["$0 EPHEMERAL -b", "one volume, sizes in bytes"],
    ["$0 -i", "inodes instead of space"],
    ["$0 -o json", "one JSON object per volume, sizes and inode counts as numbers"],
  ],
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    const raw = flags.bytes;
    const inodes = flags.inodes;
    const volumeId = args[0];
    const size = (n: number): string => (raw ? String(n) : bytesIEC(n).replace(" ", ""));
    const count = (n: number): string => (raw ? String(n) : countSI(n));
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await printNodeTable(ctx, format, nodes, {
        headers: inodes
          ? ["NODE", "VOLUME", "FILESYSTEM", "INODES", "IUSED", "IFREE", "%IUSED", "MOUNT POINT"]
          : ["NODE", "VOLUME", "FILESYSTEM", "SIZE", "USED", "AVAILABLE", "USAGE", "MOUNT POINT"],
        fetch: (node) => collect(client.forNode(node), volumeId),
        rows: (node, volumes) =>
          volumes.map(({ volume, statfs: s }) =>
            inodes
              ? [
                  node,
                  volume.id,
                  volume.source,
                  count(s.inodes),
                  count(s.inodesUsed),
                  count(s.inodesFree),
                  percent(s.inodesUsed, s.inodes),
                  volume.target,
                ]
              : [
                  node,
                  volume.id,
                  volume.source,
                  size(s.size),
                  size(s.used),
                  size(s.available),
                  percent(s.used, s.used + s.available),
                  volume.target,
                ],
          ),
        json: ({ volume, statfs: s }) => ({
          volume: volume.id,
          source: volume.source,
          filesystem: volume.filesystem,
          size: s.size,
          used: s.used,
          available: s.available,
          inodes: s.inodes,
          inodesUsed: s.inodesUsed,
          inodesFree: s.inodesFree,
          mountPoint: volume.target,
        }),
      });
    } finally {
      client.close();
    }
  },
});
