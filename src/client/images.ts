// talosctl image: which containerd instance `--namespace` names (siderolabs/talos:
// cmd/talosctl/cmd/talos/image.go), and the node's ImageService calls as plain results.
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { UserError } from "../errors.js";
import { ContainerDriver, ContainerdNamespace } from "../gen/common/common_pb.js";
import { ImageService, ImageServiceImportRequestSchema } from "../gen/machine/image_pb.js";
import type { NodeClient } from "./client.js";

export const IMAGE_NAMESPACES = ["cri", "system", "inmem"] as const;

export interface ContainerdInstanceInit {
  readonly driver: ContainerDriver;
  readonly namespace: ContainerdNamespace;
}

/** `cri` the CRI containerd's Kubernetes namespace, `system` its system one, `inmem` the system containerd. */
export function containerdInstance(namespace: string): ContainerdInstanceInit {
  switch (namespace) {
    case "cri":
      return { driver: ContainerDriver.CRI, namespace: ContainerdNamespace.NS_CRI };
    case "system":
      return { driver: ContainerDriver.CRI, namespace: ContainerdNamespace.NS_SYSTEM };
    case "inmem":
      return { driver: ContainerDriver.CONTAINERD, namespace: ContainerdNamespace.NS_SYSTEM };
    default:
      throw new UserError(`unsupported namespace ${JSON.stringify(namespace)}`);
  }
}

export interface ImageEntry {
  readonly name: string;
  readonly digest: string;
  readonly size: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly createdAt: Date;
}

export async function listImages(node: NodeClient, instance: ContainerdInstanceInit): Promise<ImageEntry[]> {
  const out: ImageEntry[] = [];
  for await (const i of node.service(ImageService).list({ containerd: instance })) {
    out.push({
      name: i.name,
      digest: i.digest,
      size: Number(i.size),
      labels: { ...i.labels },
      createdAt: i.createdAt ? timestampDate(i.createdAt) : new Date(0),
    });
  }
  return out;
}

/** talosctl's label column: `k=v,k2=v2`, keys sorted. */
export function formatLabels(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
}

export interface PullProgress {
  readonly layer: string;
  readonly offset: bigint;
  readonly total: bigint;
  readonly status: number;
}

/** Pulls an image; progress per layer as it comes; resolves with the name the node reports. */
export async function pullNodeImage(
  node: NodeClient,
  instance: ContainerdInstanceInit,
  ref: string,
  onProgress: (p: PullProgress) => void,
): Promise<string> {
  let name = "";
  for await (const reply of node.service(ImageService).pull({ containerd: instance, imageRef: ref })) {
    if (reply.response.case === "name") name = reply.response.value;
    else if (reply.response.case === "pullProgress") {
      const p = reply.response.value;
      onProgress({
        layer: p.layerId,
        offset: p.progress?.offset ?? 0n,
        total: p.progress?.total ?? 0n,
        status: p.progress?.status ?? 0,
      });
    }
  }
  return name;
}

/** Bytes of an image archive one Import message carries (talosctl's chunk size). */
export const IMPORT_CHUNK_BYTES = 32 * 1024;

/** Streams an image archive to the node; resolves with the name it was imported as. */
export async function importNodeImage(
  node: NodeClient,
  instance: ContainerdInstanceInit,
  archive: AsyncIterable<Uint8Array>,
  onProgress?: (bytes: number) => void,
): Promise<string> {
  async function* requests() {
    yield create(ImageServiceImportRequestSchema, { request: { case: "containerd", value: instance } });
    let sent = 0;
    for await (const data of archive) {
      for (let i = 0; i < data.length; i += IMPORT_CHUNK_BYTES) {
        const bytes = data.subarray(i, i + IMPORT_CHUNK_BYTES);
        yield create(ImageServiceImportRequestSchema, { request: { case: "imageChunk", value: { bytes } } });
        sent += bytes.length;
        onProgress?.(sent);
      }
    }
  }
  const reply = await node.service(ImageService).import(requests());
  return reply.name;
}

export async function removeNodeImage(
  node: NodeClient,
  instance: ContainerdInstanceInit,
  ref: string,
): Promise<void> {
  await node.service(ImageService).remove({ containerd: instance, imageRef: ref });
}

export interface VerifyResult {
  readonly verified: boolean;
  readonly message: string;
  readonly digestedImageRef: string;
}

export async function verifyNodeImage(node: NodeClient, ref: string): Promise<VerifyResult> {
  const r = await node.service(ImageService).verify({ imageRef: ref });
  return { verified: r.verified, message: r.message, digestedImageRef: r.digestedImageRef };
}
