// ImageService.Pull and List: pulling resolves the reference against the node's image catalog
// (the "registry") and stores the image in the requested containerd namespace, streaming
// per-layer progress and then the image name, as containerd reports a pull.
import { create } from "@bufbuild/protobuf";
import { DurationSchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { ContainerdNamespace } from "../../gen/common/common_pb.js";
import {
  ImageService,
  ImageServiceListResponseSchema,
  ImageServicePullLayerProgressSchema,
  ImageServicePullProgressSchema,
  ImageServicePullResponseSchema,
  ImageServicePullLayerProgress_Status as LayerStatus,
} from "../../gen/machine/image_pb.js";
import { StatusError } from "../errors.js";
import {
  type CatalogImage,
  ImageNotFoundError,
  InvalidImageRefError,
  NAMESPACES,
  resolveImage,
} from "../images/index.js";
import { type HandlerEntry, invalidArgument, type NodeRuntime, serverStream } from "./define.js";

/** Layers a pulled installer image reports (sizes split from the image size). */
const LAYER_SHARES = [0.62, 0.3, 0.08];
/** Machine time one layer's download takes. */
const LAYER_MS = 200;

/** The containerd namespace a request names; NS_UNKNOWN or an out-of-range value is refused. */
export function containerdNamespace(ns: ContainerdNamespace | undefined): string {
  const name = NAMESPACES[ns ?? ContainerdNamespace.NS_UNKNOWN];
  if (!name) throw invalidArgument(`containerd namespace is required (system or cri), got ${ns ?? 0}`);
  return name;
}

/** Resolves a reference for a pull: InvalidArgument for a malformed one, NotFound for an unknown one. */
export function pullableImage(rt: NodeRuntime, ref: string): CatalogImage {
  try {
    return resolveImage(rt.catalog, ref);
  } catch (err) {
    if (err instanceof InvalidImageRefError) throw invalidArgument(err.message);
    if (err instanceof ImageNotFoundError) {
      throw new StatusError(
        grpc.status.NOT_FOUND,
        `failed to pull image ${JSON.stringify(ref)}: ${err.message}`,
      );
    }
    throw err;
  }
}

function layerId(image: CatalogImage, index: number): string {
  return `sha256:${image.digest.slice(7 + index * 4, 7 + index * 4 + 64).padEnd(64, "0")}`;
}

export function imageHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    serverStream(ImageService.method.pull, async (req, caller, send) => {
      const namespace = containerdNamespace(req.containerd?.namespace);
      if (req.imageRef === "") throw invalidArgument("image reference is required");
      const image = pullableImage(rt, req.imageRef);
      const m = rt.machine;
      const progress = (id: string, status: LayerStatus, offset: bigint, total: bigint, ms: number) =>
        send(
          create(ImageServicePullResponseSchema, {
            response: {
              case: "pullProgress",
              value: create(ImageServicePullProgressSchema, {
                layerId: id,
                progress: create(ImageServicePullLayerProgressSchema, {
                  status,
                  offset,
                  total,
                  elapsed: create(DurationSchema, {
                    seconds: BigInt(Math.floor(ms / 1000)),
                    nanos: (ms % 1000) * 1_000_000,
                  }),
                }),
              }),
            },
          }),
        );
      const present = rt.images.has(namespace, image.ref);
      for (const [i, share] of LAYER_SHARES.entries()) {
        const id = layerId(image, i);
        const total = BigInt(Math.round(image.size * share));
        if (present) {
          await progress(id, LayerStatus.ALREADY_EXISTS, total, total, 0);
          continue;
        }
        await m.clock.sleep(LAYER_MS / 2, caller.signal);
        await progress(id, LayerStatus.DOWNLOADING, total / 2n, total, LAYER_MS / 2);
        await m.clock.sleep(LAYER_MS / 2, caller.signal);
        await progress(id, LayerStatus.DOWNLOAD_COMPLETE, total, total, LAYER_MS);
        await progress(id, LayerStatus.EXTRACTING, 0n, total, 0);
        await progress(id, LayerStatus.EXTRACT_COMPLETE, total, total, 20);
      }
      rt.images.add(namespace, image, m.now());
      await send(create(ImageServicePullResponseSchema, { response: { case: "name", value: image.ref } }));
    }),

    serverStream(ImageService.method.list, async (req, _caller, send) => {
      const namespace = containerdNamespace(req.containerd?.namespace);
      for (const image of rt.images.list(namespace)) {
        await send(
          create(ImageServiceListResponseSchema, {
            name: image.name,
            digest: image.digest,
            size: BigInt(image.size),
            createdAt: timestampFromDate(new Date(image.createdAt)),
            labels: {},
          }),
        );
      }
    }),
  ];
}
