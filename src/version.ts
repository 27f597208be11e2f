// The product's own version facts, filled in at build time where a bundle is built.

declare const __TALOS_TOOLKIT_SHA__: string | undefined;

/** The Talos release whose behaviour and defaults this toolkit follows (the newest stable). */
export const TALOS_VERSION = "v1.14.0";

/** Newest version contract the toolkit knows (`--talos-version`). */
export const LATEST_CONTRACT = "1.15";

/** Kubernetes version used by default for generated configs. */
export const DEFAULT_KUBERNETES_VERSION = "1.37.0";

export const NAME = "Talos";

export function buildSha(): string {
  return typeof __TALOS_TOOLKIT_SHA__ === "string" && __TALOS_TOOLKIT_SHA__ !== ""
    ? __TALOS_TOOLKIT_SHA__
    : "unknown";
}

export function osArch(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  return `${process.platform}/${arch}`;
}
