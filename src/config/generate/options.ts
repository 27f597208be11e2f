// Turning `gen config` flag values into generation input, with one clear error per mistake.
import { UserError } from "../../errors.js";
import { TALOS_VERSION } from "../../version.js";
import { INSTALLER_IMAGE_REPOSITORY, type RegistryMirror } from "./input.js";

export const DEFAULT_INSTALL_DISK = "/dev/sda";
export const DEFAULT_DNS_DOMAIN = "cluster.local";
export const CONFIG_VERSION = "v1alpha1";

/** The installer image for a Talos release tag: `$TAG` when set, else this toolkit's Talos version. */
export function defaultInstallImage(env: Readonly<Record<string, string | undefined>> = {}): string {
  const tag = env.TAG !== undefined && env.TAG !== "" ? env.TAG : TALOS_VERSION;
  return `${INSTALLER_IMAGE_REPOSITORY}:${tag}`;
}

const SEMVER = /^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** `--kubernetes-version`: a version such as 1.37.0 (a leading "v" is dropped). */
export function parseKubernetesVersion(value: string): string {
  const version = value.startsWith("v") ? value.slice(1) : value;
  if (!SEMVER.test(version)) {
    throw new UserError(
      `invalid kubernetes-version ${JSON.stringify(value)}: expected a version such as 1.37.0 or v1.37.0`,
    );
  }
  return version;
}

/** `--version`: the config format; only v1alpha1 exists. */
export function checkConfigVersion(value: string): void {
  if (value !== CONFIG_VERSION) throw new UserError(`unknown config version: ${JSON.stringify(value)}`);
}

/**
 * `--registry-mirror host=url` values (each may be repeated for more URLs of one host), grouped
 * by host in the order first seen.
 */
export function parseRegistryMirrors(values: readonly string[]): RegistryMirror[] {
  const byHost = new Map<string, string[]>();
  for (const value of values) {
    const eq = value.indexOf("=");
    const host = eq < 0 ? "" : value.slice(0, eq);
    const url = eq < 0 ? "" : value.slice(eq + 1);
    if (host === "" || url === "")
      throw new UserError(`invalid registry mirror spec: ${JSON.stringify(value)}`);
    byHost.set(host, [...(byHost.get(host) ?? []), url]);
  }
  return [...byHost].map(([host, endpoints]) => ({ host, endpoints }));
}

const DNS_DOMAIN = /^([a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})(\.[a-zA-Z0-9_][a-zA-Z0-9_-]{0,62})*[._]?$/;

/** `--dns-domain`: a DNS name (Talos refuses anything else when the config is validated). */
export function checkDnsDomain(value: string): void {
  if (!DNS_DOMAIN.test(value) || value.replaceAll(".", "").length > 255) {
    throw new UserError(`invalid dns-domain ${JSON.stringify(value)}: not a valid DNS name`);
  }
}

/** The cluster name positional. */
export function checkClusterName(value: string): void {
  if (value.trim() === "") throw new UserError("cluster name must not be empty");
}
