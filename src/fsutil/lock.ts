// An exclusive lock beside a file, so that several processes editing the same file (talosctl
// editing a talosconfig, nodes sharing a discovery registry) take turns instead of overwriting
// each other's changes.
// The lock is a file created with O_EXCL holding its owner's pid, host and a random token.
// A lock whose owner is gone (same host, pid not running) or that is older than the stale
// limit is broken; waiting gives up after a timeout with an error naming the lock file.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import { UserError } from "../errors.js";
import { writeError } from "./atomic.js";

/** How long to wait for another process to release the lock. */
export const LOCK_TIMEOUT_MS = 10_000;
/** A lock older than this is left over from a crash: no edit takes that long. */
export const LOCK_STALE_MS = 30_000;
const FIRST_RETRY_MS = 5;
const MAX_RETRY_MS = 100;

export interface FileLockOptions {
  timeoutMs?: number;
  staleMs?: number;
}

interface LockOwner {
  pid: number;
  host: string;
  token: string;
}

export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

/** Runs `fn` while holding the lock beside `file`; the lock is released whatever happens. */
export async function withFileLock<T>(
  file: string,
  fn: () => Promise<T> | T,
  options: FileLockOptions = {},
): Promise<T> {
  const lockPath = lockPathFor(file);
  const token = await acquire(file, lockPath, options);
  try {
    return await fn();
  } finally {
    release(lockPath, token);
  }
}

async function acquire(file: string, lockPath: string, options: FileLockOptions): Promise<string> {
  const timeoutMs = options.timeoutMs ?? LOCK_TIMEOUT_MS;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  const owner: LockOwner = { pid: process.pid, host: os.hostname(), token: randomBytes(12).toString("hex") };
  const deadline = Date.now() + timeoutMs;
  let delay = FIRST_RETRY_MS;
  for (;;) {
    try {
      const fd = fs.openSync(
        lockPath,
        fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL,
        0o600,
      );
      try {
        fs.writeSync(fd, JSON.stringify(owner));
      } finally {
        fs.closeSync(fd);
      }
      return owner.token;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw writeError(file, err);
    }

    const held = inspect(lockPath);
    if (held === undefined) continue; // released between our attempt and the look
    if (isStale(held, staleMs)) {
      breakStale(lockPath, held.raw);
      continue;
    }
    if (Date.now() >= deadline) {
      const who = held.owner
        ? `process ${held.owner.pid}${held.owner.host === owner.host ? "" : ` on ${held.owner.host}`}`
        : "another process";
      throw new UserError(
        `timed out waiting for the lock on ${file}: ${lockPath} is held by ${who}; remove it if no talosctl is running`,
      );
    }
    const jitter = Math.random() * delay;
    await new Promise((resolve) => setTimeout(resolve, delay + jitter));
    delay = Math.min(delay * 2, MAX_RETRY_MS);
  }
}

interface HeldLock {
  raw: string;
  owner: LockOwner | undefined;
  ageMs: number;
}

function inspect(lockPath: string): HeldLock | undefined {
  let raw: string;
  let mtimeMs: number;
  try {
    raw = fs.readFileSync(lockPath, "utf8");
    mtimeMs = fs.statSync(lockPath).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return { raw, owner: parseOwner(raw), ageMs: Date.now() - mtimeMs };
}

function parseOwner(raw: string): LockOwner | undefined {
  try {
    const v = JSON.parse(raw) as Partial<LockOwner>;
    if (typeof v.pid === "number" && typeof v.host === "string" && typeof v.token === "string") {
      return { pid: v.pid, host: v.host, token: v.token };
    }
  } catch {
    // An owner that has not finished writing its lock yet: judge by age alone.
  }
  return undefined;
}

function isStale(held: HeldLock, staleMs: number): boolean {
  if (held.ageMs > staleMs) return true;
  const owner = held.owner;
  if (!owner || owner.host !== os.hostname() || owner.pid === process.pid) return false;
  return !processAlive(owner.pid);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes a stale lock without removing a fresh one another process may have taken meanwhile:
 * the lock is first renamed aside (only one breaker wins the rename), then checked against what
 * was judged stale; a lock that turns out to be fresh is linked back.
 */
function breakStale(lockPath: string, judged: string): void {
  const aside = `${lockPath}.${randomBytes(6).toString("hex")}.stale`;
  try {
    fs.renameSync(lockPath, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return;
    throw err;
  }
  try {
    if (fs.readFileSync(aside, "utf8") !== judged) {
      try {
        fs.linkSync(aside, lockPath);
      } catch {
        // Someone took the lock in the meantime; the displaced owner finishes its short edit.
      }
    }
  } finally {
    fs.rmSync(aside, { force: true });
  }
}

function release(lockPath: string, token: string): void {
  try {
    const owner = parseOwner(fs.readFileSync(lockPath, "utf8"));
    // Only our own lock: if ours was broken as stale, the file now belongs to someone else.
    if (owner?.token === token) fs.rmSync(lockPath, { force: true });
  } catch {
    // Already gone.
  }
}
