// The META partition: small tagged values that survive reboots and upgrades. The node keeps the
// ones its lifecycle needs: `Upgrade` (tag 6, the label to fall back to when the first boot
// after an upgrade fails) and the staged upgrade (image and options, installed on next boot).
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
}

export class Meta {
  constructor(private readonly stateDir: string) {}

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
    return next as MetaValues;
  }

  /** Wipes the partition. */
  remove(): void {
    fs.rmSync(this.file, { force: true });
  }
}
