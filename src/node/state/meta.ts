// The META partition: small tagged values that survive reboots and upgrades. The node keeps the
// ones its lifecycle needs: `Upgrade` (tag 6, the label to fall back to when the first boot
// after an upgrade fails) and the staged upgrade (image and options, installed on next boot),
// and the values clients write by tag (MetaWrite).
import fs from "node:fs";
import path from "node:path";
import { readError, writeFileAtomic } from "../../fsutil/index.js";
import type { SlotLabel } from "./bootloader.js";

export const META_FILE = "meta.json";

export interface StagedUpgrade {
  readonly image: string;
  readonly preserve: boolean;
  readonly powercycle: boolean;
}

export interface MetaValues {
  /** Tag 6: the previous boot label while an upgrade has not booted successfully yet. */
  readonly upgrade?: SlotLabel;
  readonly stagedUpgrade?: StagedUpgrade;
  /** Values written by tag number (decimal keys). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Talos's META tags (siderolabs/talos: pkg/machinery/meta/constants.go). */
export const META_TAG = {
  upgrade: 6,
  stagedUpgradeImageRef: 7,
  stagedUpgradeInstallOptions: 8,
} as const;

/** Every tag with its value, as Talos lists them: the lifecycle's keys and the written ones. */
export function metaTags(values: MetaValues): Map<number, string> {
  const out = new Map<number, string>();
  for (const [k, v] of Object.entries(values.tags ?? {})) out.set(Number(k), v);
  if (values.upgrade !== undefined) out.set(META_TAG.upgrade, values.upgrade);
  if (values.stagedUpgrade) out.set(META_TAG.stagedUpgradeImageRef, values.stagedUpgrade.image);
  return new Map([...out].sort(([a], [b]) => a - b));
}

export class Meta {
  private readonly listeners = new Set<() => void>();

  constructor(private readonly stateDir: string) {}

  /** Calls `fn` after every change this object makes. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of [...this.listeners]) fn();
  }

  /**
   * Sets (or with `undefined` deletes) one tag; returns whether it existed. Deleting a tag the
   * lifecycle keeps (the upgrade fallback, the staged upgrade) drops that too.
   */
  setTag(tag: number, value: string | undefined): boolean {
    const current = this.read();
    const existed = metaTags(current).has(tag);
    const tags: Record<string, string> = { ...(current.tags ?? {}) };
    const change: Partial<Record<keyof MetaValues, MetaValues[keyof MetaValues] | undefined>> = {};
    if (value === undefined) {
      delete tags[String(tag)];
      if (tag === META_TAG.upgrade) change.upgrade = undefined;
      if (tag === META_TAG.stagedUpgradeImageRef) change.stagedUpgrade = undefined;
    } else {
      tags[String(tag)] = value;
    }
    change.tags = Object.keys(tags).length > 0 ? tags : undefined;
    this.update(change);
    return existed;
  }

  private get file(): string {
    return path.join(this.stateDir, META_FILE);
  }

  read(): MetaValues {
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
      throw readError(this.file, err);
    }
    try {
      return JSON.parse(text) as MetaValues;
    } catch {
      // A torn META reads as empty, as Talos treats an unreadable META.
      return {};
    }
  }

  update(change: Partial<Record<keyof MetaValues, MetaValues[keyof MetaValues] | undefined>>): MetaValues {
    const next: Record<string, unknown> = { ...this.read() };
    for (const [k, v] of Object.entries(change)) {
      if (v === undefined) delete next[k];
      else next[k] = v;
    }
    writeFileAtomic(this.file, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    this.changed();
    return next as MetaValues;
  }

  /** Wipes the partition. */
  remove(): void {
    fs.rmSync(this.file, { force: true });
    this.changed();
  }
}
