// talosctl diskfree (df) [volume ID]: space of the volumes each node has mounted with a
// filesystem of their own. The volumes come from the VolumeStatus resources; their space
// from the node's mount table (Mounts), matched by mount point.
import { fromBinary } from "@bufbuild/protobuf";
import { type NodeClient, openClient, specData } from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import type { Resource } from "../../../gen/cosi/resource/resource_pb.js";
import { VolumeStatusSpecSchema } from "../../../gen/resource/definitions/block/block_pb.js";
import {
  BlockFilesystemType,
  BlockVolumePhase,
  BlockVolumeType,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import { bytesIEC } from "../../../wire/index.js";
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
  readonly size: number;
  readonly available: number;
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
    if (v.target === "") throw new UserError(`volume ${JSON.stringify(volumeId)} not mounted`);
    chosen = [v];
  } else {
    chosen = volumes.filter((v) => unusable(v) === undefined && v.target !== "" && v.source !== "");
  }
  const mounts = (await node.machine.mounts({})).messages.flatMap((m) => m.stats);
  const rows: Row[] = [];
  for (const v of chosen.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const m = mounts.find((x) => x.mountedOn === v.target);
    if (!m) {
      if (volumeId !== undefined) throw new UserError(`volume ${JSON.stringify(volumeId)} not mounted`);
      continue;
    }
    rows.push({ volume: v, size: Number(m.size), available: Number(m.available) });
  }
  return rows;
}

/** used/(used+available), rounded up, as df shows it. */
function usagePercent(used: number, available: number): string {
  const total = used + available;
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
    ["$0 -o json", "one JSON object per volume, sizes in bytes"],
  ],
  async handler({ flags, args }, ctx: CliContext) {
    const format = parseOutputFormat(flags.output, FORMATS);
    if (flags.inodes) {
      throw new UserError(
        "--inodes: the node API this talosctl speaks reports no inode counts (it has no Statfs call); sizes are available without -i",
      );
    }
    const raw = flags.bytes;
    const volumeId = args[0];
    const size = (n: number): string => (raw ? String(n) : bytesIEC(n).replace(" ", ""));
    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    try {
      await printNodeTable(ctx, format, nodes, {
        headers: ["NODE", "VOLUME", "FILESYSTEM", "SIZE", "USED", "AVAILABLE", "USAGE", "MOUNT POINT"],
        fetch: (node) => collect(client.forNode(node), volumeId),
        rows: (node, volumes) =>
          volumes.map((row) => {
            const used = Math.max(0, row.size - row.available);
            return [
              node,
              row.volume.id,
              row.volume.source,
              size(row.size),
              size(used),
              size(row.available),
              usagePercent(used, row.available),
              row.volume.target,
            ];
          }),
        json: (row) => ({
          volume: row.volume.id,
          source: row.volume.source,
          filesystem: row.volume.filesystem,
          size: row.size,
          used: Math.max(0, row.size - row.available),
          available: row.available,
          mountPoint: row.volume.target,
        }),
      });
    } finally {
      client.close();
    }
  },
});
