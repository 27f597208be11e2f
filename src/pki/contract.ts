// Version contracts (`--talos-version`): which Talos release generated output must suit.
// "Current" (no flag) is newer than every numbered contract.
import { UserError } from "../errors.js";

export interface VersionContract {
  readonly major: number;
  readonly minor: number;
  /** No --talos-version: behaves as newer than any numbered version. */
  readonly current: boolean;
}

export const CURRENT_CONTRACT: VersionContract = Object.freeze({
  major: Number.POSITIVE_INFINITY,
  minor: 0,
  current: true,
});

const VERSION = /^v?(\d+)\.(\d+)(?:$|\.)/;

/**
 * Parses `v1.8`, `1.8`, `v1.8.3`, `v1.15.0-alpha.1`...: only major and minor count (as Talos's
 * ParseContractFromVersion). An empty string means the current contract.
 */
export function parseContract(version: string): VersionContract {
  const text = version.trim();
  if (text === "") return CURRENT_CONTRACT;
  const m = VERSION.exec(text);
  if (!m) {
    throw new UserError(
      `invalid talos version ${JSON.stringify(version)}: expected a version such as v1.8 or 1.8.3`,
    );
  }
  return Object.freeze({ major: Number(m[1]), minor: Number(m[2]), current: false });
}

/** Strictly newer than major.minor (Talos's `Greater`). */
export function contractGreater(contract: VersionContract, major: number, minor: number): boolean {
  if (contract.current) return true;
  return contract.major > major || (contract.major === major && contract.minor > minor);
}

/** Shows a contract as a user wrote it, e.g. "v1.8" or "current". */
export function formatContract(contract: VersionContract): string {
  return contract.current ? "current" : `v${contract.major}.${contract.minor}`;
}

/** RSA-4096 service-account keys since 1.7; ECDSA P-256 before. */
export function usesRsaServiceAccountKey(contract: VersionContract): boolean {
  return contractGreater(contract, 1, 6);
}

/** Secretbox encryption of etcd data since 1.3; AES-CBC before. */
export function usesSecretboxEncryption(contract: VersionContract): boolean {
  return contractGreater(contract, 1, 2);
}
