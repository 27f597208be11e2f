// Where the talosconfig lives: the --talosconfig flag, else the first existing of $TALOSCONFIG,
// <talos home>/config and the read-only in-pod location, else the first writable of those.
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../errors.js";

/** Mounted into Kubernetes pods that hold a Talos API service account; never written. */
export const SYSTEM_TALOSCONFIG = "/var/run/secrets/talos.dev/config";

export interface ClientConfigOptions {
  /** The --talosconfig value; empty or absent means the default rules. */
  path?: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
  /** Base for relative paths (the command's working directory). */
  cwd?: string | undefined;
  /** Replaces the read-only in-pod location; for tests. */
  systemPath?: string | undefined;
}

export interface ClientConfigLocation {
  /** Absolute when a cwd was given or the source path was absolute. */
  path: string;
  /** False only for the read-only in-pod location. */
  writable: boolean;
  /** Whether the file existed when located. */
  exists: boolean;
}

interface Candidate {
  path: string;
  writable: boolean;
}

/** `$TALOS_HOME` when it is an absolute path, else `<home>/.talos`. */
export function talosHome(env: Readonly<Record<string, string | undefined>>, homedir: string): string {
  const fromEnv = env.TALOS_HOME;
  if (fromEnv && path.isAbsolute(fromEnv)) return fromEnv;
  if (!homedir) {
    throw new UserError(
      "cannot locate the talosconfig: no home directory is known; set $TALOSCONFIG or use --talosconfig",
    );
  }
  return path.join(homedir, ".talos");
}

export function locateClientConfig(options: ClientConfigOptions): ClientConfigLocation {
  if (options.path) {
    const p = absolute(options.path, options.cwd);
    return { path: p, writable: true, exists: fs.existsSync(p) };
  }
  const candidates = defaultCandidates(options);
  for (const c of candidates) {
    if (fs.existsSync(c.path)) return { ...c, exists: true };
  }
  const firstWritable = candidates.find((c) => c.writable)!;
  return { ...firstWritable, exists: false };
}

function defaultCandidates(options: ClientConfigOptions): Candidate[] {
  const out: Candidate[] = [];
  const fromEnv = options.env.TALOSCONFIG;
  if (fromEnv) out.push({ path: absolute(fromEnv, options.cwd), writable: true });
  const fromTalosHome = options.env.TALOS_HOME;
  if ((fromTalosHome && path.isAbsolute(fromTalosHome)) || options.homedir || out.length === 0) {
    out.push({ path: path.join(talosHome(options.env, options.homedir), "config"), writable: true });
  }
  out.push({ path: options.systemPath ?? SYSTEM_TALOSCONFIG, writable: false });
  return out;
}

function absolute(p: string, cwd: string | undefined): string {
  return cwd === undefined ? p : path.resolve(cwd, p);
}
