// ImageService (siderolabs/talos: internal/app/images/images.go and verify.go): images of the
// node's two containerd instances — the system containerd (talosctl's `inmem`), and the CRI
// containerd with its `system` (etcd, the kubelet) and `k8s.io` (pods) namespaces. Pulls resolve
// against the node's image catalog (the "registry") and stream per-layer progress, then the
// pinned name; the CRI containerd also holds the images its running workloads use. Remove
// deletes a name; Verify checks a reference against the ImageVerificationConfig rules.
import { create } from "@bufbuild/protobuf";
import { DurationSchema, EmptySchema, timestampFromDate } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { ContainerDriver, type ContainerdInstance, ContainerdNamespace } from "../../gen/common/common_pb.js";
import {
  ImageService,
  ImageServiceImportResponseSchema,
  ImageServiceListResponseSchema,
  ImageServicePullLayerProgressSchema,
  ImageServicePullProgressSchema,
  ImageServicePullResponseSchema,
  ImageServiceVerifyResponseSchema,
  ImageServicePullLayerProgress_Status as LayerStatus,
} from "../../gen/machine/image_pb.js";
import { StatusError } from "../errors.js";
import {
  ArchiveError,
  archiveImageNames,
  type CatalogImage,
  ImageNotFoundError,
  InvalidImageRefError,
  importedImage,
  NAMESPACES,
  normalizeRef,
  resolveImage,
} from "../images/index.js";
import { isControlPlane, type Machine, workloadImageSet, workloadImages } from "../machine/index.js";
import {
  clientStream,
  type HandlerEntry,
  invalidArgument,
  type NodeRuntime,
  serverStream,
  unary,
} from "./define.js";

/** Layers a pulled installer image reports (sizes split from the image size). */
const LAYER_SHARES = [0.62, 0.3, 0.08];
/** Machine time one layer's download takes. */
const LAYER_MS = 200;

/** The largest image archive Import takes (it is held in memory while it is read). */
export const IMPORT_MAX_BYTES = 512 * 1024 * 1024;

/** Where images of the CRI containerd's `system` namespace are kept in the image store. */
export const CRI_SYSTEM_STORE = "cri/system";

/** The containerd namespace a request names; NS_UNKNOWN or an out-of-range value is refused. */
export function containerdNamespace(ns: ContainerdNamespace | undefined): string {
  const name = NAMESPACES[ns ?? ContainerdNamespace.NS_UNKNOWN];
  if (!name) throw invalidArgument(`containerd namespace is required (system or cri), got ${ns ?? 0}`);
  return name;
}

/**
 * The image store of a containerd instance, with Talos's errors for a bad driver or namespace
 * (siderolabs/talos: internal/app/internal/ctrhelper/ctrhelper.go).
 */
export function instanceStore(instance: ContainerdInstance | undefined): string {
  const driver = instance?.driver ?? ContainerDriver.CONTAINERD;
  const namespace = instance?.namespace ?? ContainerdNamespace.NS_UNKNOWN;
  if (driver !== ContainerDriver.CONTAINERD && driver !== ContainerDriver.CRI) {
    throw invalidArgument(`invalid containerd driver ${ContainerDriver[driver] ?? driver}`);
  }
  if (namespace !== ContainerdNamespace.NS_SYSTEM && namespace !== ContainerdNamespace.NS_CRI) {
    throw invalidArgument(`invalid containerd namespace ${ContainerdNamespace[namespace] ?? namespace}`);
  }
  if (driver === ContainerDriver.CONTAINERD && namespace === ContainerdNamespace.NS_CRI) {
    throw invalidArgument("cannot use CRI namespace with containerd driver");
  }
  if (driver === ContainerDriver.CONTAINERD) return NAMESPACES[ContainerdNamespace.NS_SYSTEM]!;
  return namespace === ContainerdNamespace.NS_CRI
    ? NAMESPACES[ContainerdNamespace.NS_CRI]!
    : CRI_SYSTEM_STORE;
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

/** Machines whose workloads' images were put into the CRI containerd (once per boot, as the kubelet pulls them). */
const seeded = new WeakSet<Machine>();
/** How many of a machine's pod image pulls are in the image store already. */
const pullsSeen = new WeakMap<Machine, number>();

/**
 * The CRI containerd has the images of what it runs: the static pods' and services' added once
 * per boot when first looked at, and each image the kubelet pulled for a pod since.
 */
function seedWorkloadImages(rt: NodeRuntime): void {
  const m = rt.machine;
  if (m.inMaintenance) return;
  // Only what the "registry" (the node's image catalog) has can have been pulled.
  const add = (store: string, ref: string, at: Date): void => {
    const image = rt.catalog.find(ref);
    if (image && !rt.images.has(store, image.ref)) rt.images.add(store, image, at);
  };
  const criStore = NAMESPACES[ContainerdNamespace.NS_CRI]!;
  if (!seeded.has(m)) {
    seeded.add(m);
    const images = workloadImages(isControlPlane(m.config.active), workloadImageSet(m.config.active));
    for (const ref of images.system) add(CRI_SYSTEM_STORE, ref, m.startedAt);
    for (const ref of images.k8s) add(criStore, ref, m.startedAt);
  }
  const pulls = m.workloads.podImagePulls();
  for (const pull of pulls.slice(pullsSeen.get(m) ?? 0)) add(criStore, pull.ref, pull.at);
  pullsSeen.set(m, pulls.length);
}

/** CRI's labels of an image it manages (the sandbox image is pinned). */
function criLabels(store: string, name: string): Record<string, string> {
  if (store === NAMESPACES[ContainerdNamespace.NS_SYSTEM]) return {};
  return {
    "io.cri-containerd.image": "managed",
    ...(name.includes("/pause:") ? { "io.cri-containerd.pinned": "pinned" } : {}),
  };
}

/** Go's path.Match-less glob of Talos's rules: `*` matches any run of characters. */
function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  return re.test(text);
}

interface VerificationRule {
  readonly id: string;
  readonly image: string;
  readonly skip: boolean;
  readonly deny: boolean;
  readonly verifier: boolean;
}

/** The rules of the active config's ImageVerificationConfig, ids as Talos numbers them (`0000`). */
function verificationRules(m: Machine): VerificationRule[] {
  const doc = m.config.active?.documents.documents.find((d) => d.kind === "ImageVerificationConfig");
  const rules = (doc?.data as { rules?: unknown } | undefined)?.rules;
  if (!Array.isArray(rules)) return [];
  return rules.map((r: Record<string, unknown>, i) => ({
    id: String(i).padStart(4, "0"),
    image: typeof r.image === "string" ? r.image : "",
    skip: r.skip === true,
    deny: r.deny === true,
    verifier: r.keyless !== undefined || r.publicKey !== undefined,
  }));
}

/** go-containerregistry's repository name of a reference (`index.docker.io/library/alpine`). */
function repositoryContext(normalized: string): string {
  const noDigest = normalized.split("@")[0]!;
  const slash = noDigest.indexOf("/");
  const colon = noDigest.lastIndexOf(":");
  const repo = colon > slash ? noDigest.slice(0, colon) : noDigest;
  return repo.startsWith("docker.io/") ? `index.${repo}` : repo;
}

export function imageHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    serverStream(ImageService.method.pull, async (req, caller, send) => {
      const store = instanceStore(req.containerd);
      if (req.imageRef === "") throw invalidArgument("image reference is required");
      const image = pullableImage(rt, req.imageRef);
      const m = rt.machine;
      seedWorkloadImages(rt);
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
      const present = rt.images.has(store, image.ref);
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
      if (!present) rt.images.add(store, image, m.now());
      await send(create(ImageServicePullResponseSchema, { response: { case: "name", value: image.ref } }));
    }),

    clientStream(ImageService.method.import, async (requests) => {
      const iterator = requests[Symbol.asyncIterator]();
      const first = await iterator.next();
      if (first.done || first.value.request.case !== "containerd")
        throw invalidArgument("containerd instance is required");
      const store = instanceStore(first.value.request.value);
      const chunks: Buffer[] = [];
      let size = 0;
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        const r = next.value.request;
        if (r.case !== "imageChunk")
          throw new StatusError(grpc.status.INTERNAL, "failed to import image: no image chunk");
        size += r.value.bytes.length;
        if (size > IMPORT_MAX_BYTES) {
          throw new StatusError(
            grpc.status.INTERNAL,
            `failed to import image: archive larger than ${IMPORT_MAX_BYTES} bytes`,
          );
        }
        chunks.push(Buffer.from(r.value.bytes));
      }
      const data = Buffer.concat(chunks);
      let names: string[];
      try {
        names = archiveImageNames(data);
      } catch (err) {
        if (err instanceof ArchiveError)
          throw new StatusError(grpc.status.INTERNAL, `failed to import image: ${err.message}`);
        throw err;
      }
      if (names.length === 0) throw invalidArgument("no images imported from archive");
      const now = rt.machine.now();
      for (const name of names) rt.images.add(store, importedImage(name, data), now);
      return create(ImageServiceImportResponseSchema, { name: names[0]! });
    }),

    serverStream(ImageService.method.list, async (req, _caller, send) => {
      const store = instanceStore(req.containerd);
      seedWorkloadImages(rt);
      for (const image of rt.images.list(store)) {
        await send(
          create(ImageServiceListResponseSchema, {
            name: image.name,
            digest: image.digest,
            size: BigInt(image.size),
            createdAt: timestampFromDate(new Date(image.createdAt)),
            labels: criLabels(store, image.name),
          }),
        );
      }
    }),

    unary(ImageService.method.remove, async (req) => {
      const store = instanceStore(req.containerd);
      seedWorkloadImages(rt);
      if (!rt.images.remove(store, req.imageRef)) {
        throw new StatusError(grpc.status.NOT_FOUND, `image ${req.imageRef} not found`);
      }
      return create(EmptySchema, {});
    }),

    unary(ImageService.method.verify, async (req) => {
      const normalized = normalizeRef(req.imageRef);
      if (!normalized) {
        throw invalidArgument(`image reference is invalid: could not parse reference: ${req.imageRef}`);
      }
      const context = repositoryContext(normalized);
      const rule = verificationRules(rt.machine).find((r) => r.image !== "" && globMatch(r.image, context));
      if (!rule)
        return create(ImageServiceVerifyResponseSchema, { verified: false, message: "no matched rule" });
      if (rule.deny) {
        throw new StatusError(
          grpc.status.PERMISSION_DENIED,
          `verification denied by matched rule (${rule.id})`,
        );
      }
      if (rule.skip) {
        return create(ImageServiceVerifyResponseSchema, {
          verified: false,
          message: `verification skipped by matched rule (${rule.id})`,
        });
      }
      const image = rt.catalog.find(normalized);
      if (!image) {
        throw new StatusError(
          grpc.status.NOT_FOUND,
          `image reference not found during resolution: ${normalized}: not found`,
        );
      }
      // The emulated registry publishes no cosign signatures.
      throw new StatusError(grpc.status.PERMISSION_DENIED, "image verification failed: no signatures found");
    }),
  ];
}
