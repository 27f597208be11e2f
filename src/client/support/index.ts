// talosctl support: the bundle (collectors, zip archive) and its age encryption.
export {
  AgeEncryptor,
  type AgeRecipient,
  bech32Encode,
  generateX25519Identity,
  parseRecipient,
} from "./age.js";
export { type BundleProgress, createSupportBundle, type SupportBundleOptions } from "./bundle.js";
export { CLUSTER_SOURCE, type Collector, tabwrite } from "./collectors.js";
export { ZipWriter } from "./zip.js";
