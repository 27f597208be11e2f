// talosctl image cache-create: would build an OCI image cache from a registry. This talosctl
// works offline: after talosctl's own checks of its flags it names the images the cache needs
// and stops, writing nothing.
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../../../errors.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { oneOf } from "../../flags.js";
import { namespaceFlag } from "./flags.js";

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = "";
  for await (const chunk of stream as AsyncIterable<Buffer | string>) text += chunk.toString();
  return text;
}

export const command = defineCommand({
  long: "Create a cache of images in OCI format into a directory",
  args: args.none,
  flags: {
    ...namespaceFlag,
    "image-cache-path": flag.string({
      global: true,
      required: true,
      describe: "directory to save the image cache in OCI format",
      completeFiles: "dirs",
    }),
    "image-layer-cache-path": flag.string({
      global: true,
      describe: "directory to save the image layer cache",
    }),
    layout: flag.string({
      global: true,
      default: "oci",
      choices: ["oci", "flat"],
      validate: oneOf(["oci", "flat"]),
      describe:
        'Specifies the cache layout format: "oci" for an OCI image layout directory, or "flat" for a registry-like flat file structure',
    }),
    platform: flag.stringSlice({
      global: true,
      default: ["linux/amd64"],
      describe:
        'platform(s) to cache (e.g. linux/amd64,linux/arm64), or "all" to cache every platform in the image index',
    }),
    images: flag.stringSlice({ global: true, required: true, describe: "images to cache" }),
    insecure: flag.bool({ global: true, describe: "allow insecure registries" }),
    force: flag.bool({ global: true, describe: "force overwrite of existing image cache" }),
    "cosign-signatures": flag.bool({
      global: true,
      default: true,
      describe: "pull and cache cosign signatures for images",
    }),
  },
  examples: [
    ["$0 --images=ghcr.io/siderolabs/kubelet:v1.37.0 --image-cache-path=/tmp/talos-image-cache", "one image"],
    [
      "talosctl images default | $0 --image-cache-path=/tmp/talos-image-cache --images=-",
      "images from stdin",
    ],
  ],
  async handler({ flags }, ctx: CliContext) {
    let images = [...flags.images];
    if (images.length === 0) throw new UserError("no images specified");
    const target = path.resolve(ctx.cwd, flags["image-cache-path"]);
    if (!flags.force && fs.existsSync(target)) {
      throw new UserError(
        `image cache path ${flags["image-cache-path"]} already exists, use --force to remove and use the path`,
      );
    }
    if (images[0] === "-") {
      images = (await readAll(ctx.stdin))
        .replace(/^\n+|\n+$/g, "")
        .split("\n")
        .filter((l) => l !== "");
    }
    throw new UserError(
      `error generating cache: this talosctl works offline and cannot pull from a registry; the cache needs ${images.length} image(s): ${images.join(", ")}`,
    );
  },
});
