// Which Talos release the generated config must suit (`--talos-version`), and every switch of
// the generated layout that depends on it. A gate "since X" is on for contracts newer than the
// release before X and for the current contract.
import { UserError } from "../../errors.js";
import { CURRENT_CONTRACT, contractGreater, formatContract, type VersionContract } from "../../pki/index.js";
import { LATEST_CONTRACT } from "../../version.js";

export type { VersionContract } from "../../pki/index.js";
export { CURRENT_CONTRACT, formatContract };

/** The oldest contract whose layout the toolkit knows (Talos 1.0). */
export const OLDEST_CONTRACT = { major: 1, minor: 0 } as const;

const VERSION = /^v(\d+)\.(\d+)($|\.)/;

/**
 * Parses `--talos-version`: `v1.13`, `1.13`, `v1.13.2`... (only major and minor count). Empty
 * means the current contract. 1.x versions newer than the newest known contract behave as the
 * current one, as in Talos; other major versions are unknown and refused.
 */
export function parseTalosVersion(value: string): VersionContract {
  if (value === "") return CURRENT_CONTRACT;
  const text = value.startsWith("v") ? value : `v${value}`;
  const m = VERSION.exec(text);
  if (!m) throw new UserError(`invalid talos-version: error parsing version ${JSON.stringify(value)}`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== OLDEST_CONTRACT.major) {
    throw new UserError(
      `unknown talos-version ${JSON.stringify(value)}: version contracts v1.0 to v${LATEST_CONTRACT} are supported`,
    );
  }
  return Object.freeze({ major, minor, current: false });
}

/** The contract as "major.minor" for the config model ("1.15" for the current one). */
export function contractVersionString(contract: VersionContract): string {
  return contract.current ? LATEST_CONTRACT : `${contract.major}.${contract.minor}`;
}

const since = (major: number, minor: number) => (c: VersionContract) => contractGreater(c, major, minor - 1);
const until = (major: number, minor: number) => (c: VersionContract) => !contractGreater(c, major, minor);

/**
 * The version gates of config generation (siderolabs/talos: pkg/machinery/config/contract.go),
 * named after what they switch on.
 */
export const gates = {
  podSecurityAdmission: since(1, 1),
  stableHostname: since(1, 2),
  kubeletDefaultSeccomp: since(1, 2),
  /** Contract 1.2 only: k8s.gcr.io is mirrored to registry.k8s.io. */
  alternateImageRegistries: (c: VersionContract) => !c.current && c.major === 1 && c.minor === 2,
  allowSchedulingOnControlPlanesName: since(1, 2),
  kubernetesDiscoveryBackendDisabled: since(1, 2),
  apidExtKeyUsageCheck: since(1, 3),
  auditPolicy: since(1, 3),
  kubeletManifestsDirectoryDisabled: since(1, 3),
  secretboxEncryption: since(1, 3),
  diskQuotaSupport: since(1, 5),
  kubePrism: since(1, 6),
  hostDNS: since(1, 7),
  rsaServiceAccountKey: since(1, 7),
  clusterNameForWorkers: since(1, 8),
  hostDNSForwardKubeDNSToHost: since(1, 8),
  excludeFromExternalLoadBalancer: since(1, 8),
  multidocNetworkConfig: since(1, 12),
  hidePodSecurityPolicyFlag: since(1, 12),
  hideRBACAndKeyUsage: since(1, 12),
  populateClusterSANsFromEndpoint: until(1, 11),
  grubUseUKICmdline: since(1, 12),
  kubeSpanMultidoc: since(1, 13),
  hostDNSMultidoc: since(1, 14),
  discoveryServiceMultidoc: since(1, 14),
  discoveryIdentityMultidoc: since(1, 14),
  unattendedInstall: since(1, 14),
  multidocKubernetes: since(1, 14),
  filesystemTrimByDefault: since(1, 14),
  workloadIsolationByDefault: since(1, 14),
  multidocSysctl: since(1, 14),
} as const;

export type GateName = keyof typeof gates;
