// MetaWrite and MetaDelete (siderolabs/talos:
// internal/app/machined/internal/server/v1alpha1/v1alpha1_meta.go): one tag of the META
// partition, a uint8, written or removed; the MetaKeys resources follow. Not in container
// mode, which has no META partition.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  MachineService,
  MetaDeleteResponseSchema,
  MetaDeleteSchema,
  MetaWriteResponseSchema,
  MetaWriteSchema,
} from "../../gen/machine/machine_pb.js";
import { StatusError } from "../errors.js";
import { metaTags } from "../state/index.js";
import { failedPrecondition, type HandlerEntry, invalidArgument, type NodeRuntime, unary } from "./define.js";

/** Bytes the Talos ADV keeps for tags and values (256 KiB less its header and checksum). */
export const META_DATA_BYTES = 256 * 1024 - 40;
/** Bytes each tag costs beside its value (tag and size words). */
const META_TAG_OVERHEAD = 8;

function requireMetaPartition(rt: NodeRuntime): void {
  const mode = rt.machine.platform.mode;
  if (mode === "container") throw failedPrecondition(`method is not supported in ${mode} mode`);
}

function requireUint8(key: number): number {
  if ((key & 0xff) !== key) throw invalidArgument("key must be a uint8");
  return key;
}

/**
 * Whether writing `value` under `tag` still fits, counted as the ADV counts it: every stored
 * value with its overhead, plus the new value's bytes less the old one's.
 */
export function metaFits(tags: ReadonlyMap<number, string>, tag: number, value: Uint8Array): boolean {
  let size = 0;
  for (const v of tags.values()) size += Buffer.byteLength(v) + META_TAG_OVERHEAD;
  size += value.length - Buffer.byteLength(tags.get(tag) ?? "");
  return size <= META_DATA_BYTES;
}

export function metaHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.metaWrite, async (req) => {
      requireMetaPartition(rt);
      const key = requireUint8(req.key);
      if (!metaFits(metaTags(rt.meta.read()), key, req.value)) {
        throw new StatusError(grpc.status.RESOURCE_EXHAUSTED, "meta write failed");
      }
      rt.meta.setTag(key, Buffer.from(req.value).toString("utf8"));
      return create(MetaWriteResponseSchema, { messages: [create(MetaWriteSchema, {})] });
    }),

    unary(MachineService.method.metaDelete, async (req) => {
      requireMetaPartition(rt);
      const key = requireUint8(req.key);
      if (!rt.meta.setTag(key, undefined)) throw new StatusError(grpc.status.NOT_FOUND, "meta key not found");
      return create(MetaDeleteResponseSchema, { messages: [create(MetaDeleteSchema, {})] });
    }),
  ];
}
