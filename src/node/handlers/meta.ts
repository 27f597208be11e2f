// MetaWrite and MetaDelete (siderolabs/talos:
// internal/app/machined/internal/server/v1alpha1/v1alpha1_meta.go): tagged values in META, which
// the node's MetaKey resources follow. Containers have no META partition.
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
import {
  failedPrecondition,
  type HandlerEntry,
  invalidArgument,
  type NodeRuntime,
  notFound,
  unary,
} from "./define.js";

/** What Talos's META data area holds (its ADV block), tags and values with their headers. */
export const META_CAPACITY_BYTES = 256 * 1024;
/** Each tag's header in the META area (tag and length). */
const TAG_HEADER_BYTES = 8;

function checkSupported(rt: NodeRuntime): void {
  const mode = rt.machine.platform.mode;
  if (mode === "container") throw failedPrecondition(`method is not supported in ${mode} mode`);
}

function checkKey(key: number): void {
  if (key > 0xff) throw invalidArgument("key must be a uint8");
}

export function metaHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.metaWrite, async (req) => {
      checkSupported(rt);
      checkKey(req.key);
      const value = Buffer.from(req.value).toString("utf8");
      const tags = metaTags(rt.meta.read());
      tags.set(req.key, value);
      const used = [...tags.values()].reduce((n, v) => n + TAG_HEADER_BYTES + Buffer.byteLength(v), 0);
      if (used > META_CAPACITY_BYTES)
        throw new StatusError(grpc.status.RESOURCE_EXHAUSTED, "meta write failed");
      rt.meta.setTag(req.key, value);
      return create(MetaWriteResponseSchema, { messages: [create(MetaWriteSchema, {})] });
    }),

    unary(MachineService.method.metaDelete, async (req) => {
      checkSupported(rt);
      checkKey(req.key);
      if (!metaTags(rt.meta.read()).has(req.key)) throw notFound("meta key not found");
      rt.meta.setTag(req.key, undefined);
      return create(MetaDeleteResponseSchema, { messages: [create(MetaDeleteSchema, {})] });
    }),
  ];
}
