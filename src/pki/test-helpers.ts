// Shared by the pki tests: a fast key generator (RSA-4096 only where a test is about it) and
// access to the openssl binary for cross-checks.
import { execFileSync, spawnSync } from "node:child_process";
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { onTestFinished } from "vitest";
import { generateBundle, type SecretsBundle } from "./bundle.js";
import { parseContract } from "./contract.js";
import { generatePrivateKey, type KeyGenerator, type KeyKind } from "./keys.js";

let rsa2048: KeyObject | undefined;

/** Like generatePrivateKey, but "rsa" yields one cached 2048-bit key (the tests are not about its size). */
export const fastKeygen: KeyGenerator = async (kind: KeyKind) => {
  if (kind !== "rsa") return generatePrivateKey(kind);
  rsa2048 ??= generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  return rsa2048;
};

/** A complete bundle without RSA-4096 (contract 1.6 uses an ECDSA service-account key). */
export function quickBundle(now = new Date("2026-03-01T10:00:00Z")): Promise<SecretsBundle> {
  return generateBundle({ contract: parseContract("v1.6"), now });
}

export const OPENSSL = "/usr/bin/openssl";
export const HAVE_OPENSSL = fs.existsSync(OPENSSL);
export const NO_OPENSSL_REASON = `${OPENSSL} is not installed: skipping openssl cross-checks`;

/** A scratch directory removed when the calling test ends. */
export function scratchDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "talos-pki-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs openssl; returns its output, throwing with stderr on failure. */
export function openssl(args: readonly string[], cwd?: string): string {
  return execFileSync(OPENSSL, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** Runs openssl without throwing. */
export function opensslStatus(args: readonly string[], cwd?: string): { status: number; out: string } {
  const r = spawnSync(OPENSSL, args, { cwd, encoding: "utf8" });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
