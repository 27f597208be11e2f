// Container images of the emulated node: the catalog of what the "registry" has, and what was
// pulled into containerd.
export { ArchiveError, archiveImageNames, importedImage } from "./archive.js";
export {
  type CatalogImage,
  commonImages,
  defaultCatalog,
  ImageCatalog,
  loadCatalog,
  normalizeRef,
} from "./catalog.js";
export { ImageNotFoundError, InvalidImageRefError, resolveImage } from "./resolve.js";
export { IMAGES_FILE, ImageStore, NAMESPACES, type StoredImage } from "./store.js";
