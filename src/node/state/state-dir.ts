// The node's STATE directory: the persisted machine config and the node's identity. Every
// write is atomic (temporary file, fsync, rename), so a node killed at any moment restarts
// with either the old or the new file, never a torn one; stray temporary files are removed.
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../../errors.js";
import { readError, writeFileAtomic } from "../../fsutil/index.js";

export const CONFIG_FILE = "config.yaml";
export const IDENTITY_FILE = "node.json";
export const LOCK_FILE = "talos-node.pid";
/** Files with secrets: owner only. */
const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export interface NodeIdentity {
  /** A stable machine id (like Talos's node UUID). */
  readonly uuid: string;
  /** The hostname the node uses when neither its config nor --hostname names one. */
  readonly defaultHostname: string;
  /** Set once an install ran (metal): later boots skip the install sequence. */
  readonly installed: boolean;
  /** Boots so far, this one included. */
  readonly boots: number;
}

/** Leftovers of writes that a crash interrupted (`.<name>.<hex>.tmp`). */
function isTempFile(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}

export class StateDir {
  private locked = false;
  private cachedIdentity: NodeIdentity | undefined;

  private constructor(readonly dir: string) {}

  /** Opens (creating if needed) a STATE directory and takes its lock. */
  static open(dir: string): StateDir {
    const abs = path.resolve(dir);
    try {
      fs.mkdirSync(abs, { recursive: true, mode: DIR_MODE });
    } catch (err) {
      throw new UserError(`--state-dir ${dir}: ${describe(err)}`, { cause: err });
    }
    if (!fs.statSync(abs).isDirectory()) throw new UserError(`--state-dir ${dir}: not a directory`);
    const state = new StateDir(abs);
    state.lock();
    state.removeTempFiles();
    return state;
  }

  private lock(): void {
    const file = path.join(this.dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: FILE_MODE });
        this.locked = true;
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
          throw new UserError(`--state-dir ${this.dir}: ${describe(err)}`, { cause: err });
        }
      }
      const owner = Number.parseInt(fs.readFileSync(file, "utf8").trim(), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
        throw new UserError(`state directory ${this.dir} is in use by another talos-node (pid ${owner})`);
      }
      // The previous owner is gone (killed): its lock is stale.
      fs.rmSync(file, { force: true });
    }
    throw new UserError(`state directory ${this.dir} could not be locked`);
  }

  /** Releases the lock (the files stay). */
  close(): void {
    if (!this.locked) return;
    this.locked = false;
    fs.rmSync(path.join(this.dir, LOCK_FILE), { force: true });
  }

  private removeTempFiles(): void {
    for (const name of fs.readdirSync(this.dir)) {
      if (isTempFile(name)) fs.rmSync(path.join(this.dir, name), { force: true });
    }
  }

  get configPath(): string {
    return path.join(this.dir, CONFIG_FILE);
  }

  /** The persisted machine config, or undefined when none was saved. */
  readConfig(): Buffer | undefined {
    try {
      return fs.readFileSync(this.configPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw readError(this.configPath, err);
    }
  }

  writeConfig(data: Uint8Array): void {
    writeFileAtomic(this.configPath, data, { mode: FILE_MODE });
  }

  removeConfig(): void {
    fs.rmSync(this.configPath, { force: true });
  }

  /** The node's identity, created on first use. */
  identity(): NodeIdentity {
    this.cachedIdentity ??= this.readIdentity();
    return this.cachedIdentity;
  }

  private readIdentity(): NodeIdentity {
    const file = path.join(this.dir, IDENTITY_FILE);
    let text: string | undefined;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw readError(file, err);
    }
    if (text === undefined) {
      const fresh: NodeIdentity = {
        uuid: randomUUID(),
        defaultHostname: stableHostname(),
        installed: false,
        boots: 0,
      };
      this.writeIdentity(fresh);
      return fresh;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UserError(`${file}: not a valid node identity (JSON expected)`);
    }
    const id = parsed as Partial<NodeIdentity>;
    if (typeof id.uuid !== "string" || typeof id.defaultHostname !== "string") {
      throw new UserError(`${file}: not a valid node identity (uuid and defaultHostname are required)`);
    }
    return {
      uuid: id.uuid,
      defaultHostname: id.defaultHostname,
      installed: id.installed === true,
      boots: typeof id.boots === "number" ? id.boots : 0,
    };
  }

  updateIdentity(change: Partial<NodeIdentity>): NodeIdentity {
    const next = { ...this.identity(), ...change };
    this.writeIdentity(next);
    return next;
  }

  private writeIdentity(identity: NodeIdentity): void {
    this.cachedIdentity = identity;
    writeFileAtomic(path.join(this.dir, IDENTITY_FILE), `${JSON.stringify(identity, null, 2)}\n`, {
      mode: FILE_MODE,
    });
  }
}

/** `talos-abc-def`, as Talos names a machine that has no hostname configured. */
function stableHostname(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const b = randomBytes(6);
  const part = (from: number): string =>
    Array.from(b.subarray(from, from + 3), (x) => alphabet[x % alphabet.length]).join("");
  return `talos-${part(0)}-${part(3)}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "EACCES" || e.code === "EPERM") return "permission denied";
  if (e.code === "ENOTDIR") return "a parent is not a directory";
  if (e.code === "EEXIST") return "exists and is not a directory";
  return e.message ?? String(err);
}
