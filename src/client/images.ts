// talosctl image: which containerd instance `--namespace` names (siderolabs/talos:
// cmd/talosctl/cmd/talos/image.go), and the node's ImageService calls as plain results.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { UserError } from "../errors.js";
import { ContainerDriver, ContainerdNamespace } from "../gen/common/common_pb.js";
import { ImageService } from "../gen/machine/image_pb.js";
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
