// Resolving an image reference against the catalog, with containerd's and Talos's error texts:
// a malformed reference is the caller's mistake (InvalidArgument), an unknown one is "not
// found" at the registry.
import type { CatalogImage, ImageCatalog } from "./catalog.js";
import { normalizeRef } from "./catalog.js";

/** The reference does not parse. */
export class InvalidImageRefError extends Error {
  override readonly name = "InvalidImageRefError";

  constructor(readonly ref: string) {
    super(`failed to parse image reference ${JSON.stringify(ref)}: invalid reference format`);
  }
}

/** The registry has no such image. */
export class ImageNotFoundError extends Error {
  override readonly name = "ImageNotFoundError";

  constructor(readonly ref: string) {
    super(`failed to resolve reference ${JSON.stringify(ref)}: ${ref}: not found`);
  }
}

/** The catalog's image for `ref`; throws InvalidImageRefError or ImageNotFoundError. */
export function resolveImage(catalog: ImageCatalog, ref: string): CatalogImage {
  const normalized = normalizeRef(ref.trim());
  if (!normalized || ref.trim() !== ref) throw new InvalidImageRefError(ref);
  const image = catalog.find(normalized);
  if (!image) throw new ImageNotFoundError(normalized);
  return image;
}
