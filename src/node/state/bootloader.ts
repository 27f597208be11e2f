// The bootloader's two boot slots (A and B) on the system disk: which installer image each was
// installed from and the Talos version it boots, which one boots by default and which one is
// the fallback. Kept as one JSON file in the STATE directory, written atomically.
import fs from "node:fs";
import path from "node:path";
import { UserError } from "../../errors.js";
import { readError, writeFileAtomic } from "../../fsutil/index.js";

export const BOOTLOADER_FILE = "bootloader.json";

export type SlotLabel = "A" | "B";
export const SLOT_LABELS: readonly SlotLabel[] = ["A", "B"];

export interface BootSlot {
  /** The installer image the slot was installed from. */
  readonly ref: string;
  /** The Talos version the slot boots. */
  readonly version: string;
  /** The image's boot fails (an image-catalog test aid). */
  readonly failBoot?: boolean;
}

export interface BootloaderState {
  readonly default: SlotLabel;
  readonly fallback?: SlotLabel;
  readonly slots: Readonly<Partial<Record<SlotLabel, BootSlot>>>;
}

export function otherSlot(label: SlotLabel): SlotLabel {
  return label === "A" ? "B" : "A";
}

/** The installer image of a Talos release. */
export function installerRef(version: string): string {
  return `ghcr.io/siderolabs/installer:${version}`;
}

export class Bootloader {
  constructor(private readonly stateDir: string) {}

  private get file(): string {
    return path.join(this.stateDir, BOOTLOADER_FILE);
  }

  /** The saved state, or undefined when nothing was installed yet (or the BOOT partition was wiped). */
  read(): BootloaderState | undefined {
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw readError(this.file, err);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new UserError(`${this.file}: not a valid bootloader state (JSON expected)`);
    }
    const s = parsed as Partial<BootloaderState>;
    if (
      !s ||
      !SLOT_LABELS.includes(s.default as SlotLabel) ||
      typeof s.slots !== "object" ||
      !s.slots?.[s.default!]
    ) {
      throw new UserError(`${this.file}: not a valid bootloader state (default slot missing)`);
    }
    return s as BootloaderState;
  }

  /** The state, creating slot A with `version` when the machine was installed before slots were kept. */
  ensure(version: string): BootloaderState {
    const current = this.read();
    if (current) return current;
    const initial: BootloaderState = { default: "A", slots: { A: { ref: installerRef(version), version } } };
    this.write(initial);
    return initial;
  }

  write(state: BootloaderState): void {
    writeFileAtomic(this.file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  }

  /** Installs `slot` into the non-default label, makes it the default and the old default the fallback. */
  install(version: string, slot: BootSlot): { previous: SlotLabel; next: SlotLabel } {
    const current = this.ensure(version);
    const next = otherSlot(current.default);
    this.write({ default: next, fallback: current.default, slots: { ...current.slots, [next]: slot } });
    return { previous: current.default, next };
  }

  /** Boots `label` by default again (after a failed boot or a rollback); the other one becomes the fallback. */
  switchTo(label: SlotLabel): void {
    const current = this.read();
    if (!current) return;
    this.write({ ...current, default: label, fallback: otherSlot(label) });
  }

  /** Forgets the fallback entry (the new slot booted fine). */
  dropFallback(): void {
    const current = this.read();
    if (!current?.fallback) return;
    const { fallback: _, ...rest } = current;
    this.write(rest);
  }

  remove(): void {
    fs.rmSync(this.file, { force: true });
  }
}
