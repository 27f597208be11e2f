// ImageService on a real talos-node: pulls resolve against the image catalog (by default the
// real installer tags of Talos v1.12.0 up to the node's version), stream per-layer progress and
// then the image name, and land in the requested containerd namespace; bad references and
// images the "registry" lacks fail as containerd and Talos say.
import fs from "node:fs";
import path from "node:path";
import { fromBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerDriver, ContainerdNamespace } from "../src/gen/common/common_pb.js";
import {
  ImageServiceListRequestSchema,
  ImageServiceListResponseSchema,
  ImageServicePullRequestSchema,
  ImageServicePullResponseSchema,
  ImageServicePullLayerProgress_Status as LayerStatus,
} from "../src/gen/machine/image_pb.js";
import { tempDir } from "./helpers/cli.js";
import { body, configuredNode, type LifecycleNode } from "./helpers/lifecycle.js";
import { makeCluster, mtlsClient, streamCall, type TestCluster } from "./helpers/node.js";

const PULL = "/machine.ImageService/Pull";
const LIST = "/machine.ImageService/List";

let cluster: TestCluster;

beforeAll(async () => {
  // Configs a v1.13 node loads too (one test runs a node of that version).
  cluster = await makeCluster("images-cluster", "v1.13.2");
});

/** The CRI namespace is reached through the CRI driver, as talosctl sends it. */
function instance(namespace: ContainerdNamespace) {
  return {
    namespace,
    driver: namespace === ContainerdNamespace.NS_CRI ? ContainerDriver.CRI : ContainerDriver.CONTAINERD,
  };
}

function pull(client: grpc.Client, ref: string, namespace = ContainerdNamespace.NS_SYSTEM) {
  return streamCall(
    client,
    PULL,
    body(ImageServicePullRequestSchema, { imageRef: ref, containerd: instance(namespace) }),
  ).done.then((messages) => messages.map((m) => fromBinary(ImageServicePullResponseSchema, m)));
}

function list(client: grpc.Client, namespace = ContainerdNamespace.NS_SYSTEM) {
  return streamCall(
    client,
    LIST,
    body(ImageServiceListRequestSchema, { containerd: instance(namespace) }),
  ).done.then((messages) => messages.map((m) => fromBinary(ImageServiceListResponseSchema, m)));
}

describe("image pull with the default catalog", () => {
  let n: LifecycleNode;

  beforeAll(async () => {
    n = await configuredNode(cluster, ["--talos-version", "v1.13.2"]);
  }, 60_000);

  afterAll(async () => {
    await n?.stop();
  });

  it("pulls a real release's installer into the system namespace, with layer progress, then lists it", async () => {
    const replies = await pull(n.admin, "ghcr.io/siderolabs/installer:v1.12.8");
    expect(replies.at(-1)?.response).toEqual({ case: "name", value: "ghcr.io/siderolabs/installer:v1.12.8" });
    const statuses = replies
      .filter((r) => r.response.case === "pullProgress")
      .map((r) => (r.response.case === "pullProgress" ? r.response.value.progress?.status : undefined));
    expect(statuses.slice(0, 4)).toEqual([
      LayerStatus.DOWNLOADING,
      LayerStatus.DOWNLOAD_COMPLETE,
      LayerStatus.EXTRACTING,
      LayerStatus.EXTRACT_COMPLETE,
    ]);
    const images = await list(n.admin);
    expect(images.map((i) => i.name)).toEqual(["ghcr.io/siderolabs/installer:v1.12.8"]);
    expect(images[0]!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(images[0]!.size > 0n).toBe(true);
    // The CRI containerd has the images of the pods it runs, not what the system one pulled.
    expect((await list(n.admin, ContainerdNamespace.NS_CRI)).map((i) => i.name)).not.toContain(
      "ghcr.io/siderolabs/installer:v1.12.8",
    );

    // A second pull finds every layer already there.
    const again = await pull(n.admin, "ghcr.io/siderolabs/installer:v1.12.8");
    const again_statuses = again
      .filter((r) => r.response.case === "pullProgress")
      .map((r) => (r.response.case === "pullProgress" ? r.response.value.progress?.status : undefined));
    expect(new Set(again_statuses)).toEqual(new Set([LayerStatus.ALREADY_EXISTS]));

    // Readers may list but not pull.
    const reader = mtlsClient(n.node.address, cluster.osCa.crt, cluster.reader);
    try {
      expect((await list(reader)).length).toBe(1);
      await expect(pull(reader, "ghcr.io/siderolabs/installer:v1.12.0")).rejects.toMatchObject({
        code: grpc.status.PERMISSION_DENIED,
      });
    } finally {
      reader.close();
    }
  });

  it("knows every release from v1.12.0 up to the node's own version, and nothing newer", async () => {
    await pull(n.admin, "ghcr.io/siderolabs/installer:v1.12.0");
    await pull(n.admin, "ghcr.io/siderolabs/installer:v1.13.2");
    await expect(pull(n.admin, "ghcr.io/siderolabs/installer:v1.13.3")).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
      details:
        'failed to pull image "ghcr.io/siderolabs/installer:v1.13.3": failed to resolve reference "ghcr.io/siderolabs/installer:v1.13.3": ghcr.io/siderolabs/installer:v1.13.3: not found',
    });
    await expect(pull(n.admin, "ghcr.io/siderolabs/installer:v1.11.6")).rejects.toMatchObject({
      code: grpc.status.NOT_FOUND,
    });
  });

  it("refuses malformed references and a missing namespace", async () => {
    for (const ref of ["ghcr.io/Siderolabs/installer:v1.12.0", "installer:bad tag", " ghcr.io/x:y", "a::b"]) {
      await expect(pull(n.admin, ref), ref).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
        details: `failed to parse image reference ${JSON.stringify(ref)}: invalid reference format`,
      });
    }
    await expect(pull(n.admin, "")).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "image reference is required",
    });
    await expect(
      pull(n.admin, "ghcr.io/siderolabs/installer:v1.12.0", ContainerdNamespace.NS_UNKNOWN),
    ).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: "invalid containerd namespace NS_UNKNOWN",
    });
  });
});

describe("image pull with --image-catalog", () => {
  it("serves exactly the catalog's images, normalising short names", async () => {
    const dir = tempDir("talos-node-catalog-");
    const file = path.join(dir, "catalog.yaml");
    fs.writeFileSync(
      file,
      [
        "- ref: registry.example:5000/talos/installer:v9.9.9",
        "  version: v9.9.9",
        "- ref: busybox",
        "  version: v1.0.0",
        "",
      ].join("\n"),
    );
    const n = await configuredNode(cluster, ["--image-catalog", file]);
    try {
      const replies = await pull(
        n.admin,
        "registry.example:5000/talos/installer:v9.9.9",
        ContainerdNamespace.NS_CRI,
      );
      expect(replies.at(-1)?.response.value).toBe("registry.example:5000/talos/installer:v9.9.9");
      expect((await pull(n.admin, "busybox")).at(-1)?.response.value).toBe(
        "docker.io/library/busybox:latest",
      );
      expect((await list(n.admin, ContainerdNamespace.NS_CRI)).map((i) => i.name)).toEqual([
        "registry.example:5000/talos/installer:v9.9.9",
      ]);
      await expect(pull(n.admin, "ghcr.io/siderolabs/installer:v1.14.0")).rejects.toMatchObject({
        code: grpc.status.NOT_FOUND,
      });
    } finally {
      await n.stop();
    }
  }, 60_000);
});
