// The installer an upgrade runs: it writes the new image's Talos into the bootloader slot that
// is not booting now, makes that slot the default (the current one becomes the fallback), and
// records the previous label in META so that a failed first boot falls back to it. Its output
// lines are what LifecycleService.Upgrade streams and what machined logs for the legacy flow.
import type { Clock } from "../clock.js";
import type { CatalogImage } from "../images/index.js";
import { type Bootloader, type Meta, otherSlot } from "../state/index.js";

/** Machine time each step of the installer takes. */
const STEP_MS = 150;

/** The installer's exit code for a failed installation (talosctl: "installation error"). */
export const INSTALLATION_ERROR = 7;

/** The installer exited non-zero; nothing was changed. */
export class InstallerError extends Error {
  override readonly name = "InstallerError";

  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface InstallerContext {
  readonly bootloader: Bootloader;
  readonly meta: Meta;
  readonly clock: Clock;
  /** The version the machine runs now (slot A's when no slots were recorded yet). */
  readonly currentVersion: string;
  readonly signal?: AbortSignal;
}

/** Runs the installer for `image`; `output` receives every line it prints. */
export async function runInstaller(
  ctx: InstallerContext,
  image: CatalogImage,
  output: (line: string) => void | Promise<void>,
): Promise<void> {
  const before = ctx.bootloader.ensure(ctx.currentVersion);
  const target = otherSlot(before.default);
  const step = async (line: string): Promise<void> => {
    await ctx.clock.sleep(STEP_MS, ctx.signal);
    await output(line);
  };
  await step(`running installer ${image.ref} (Talos ${image.version})`);
  await step(`upgrading from ${before.slots[before.default]!.version} in boot slot ${before.default}`);
  if (image.failInstall) {
    const why = `writing kernel and initramfs to /boot/${target}: image ${image.ref} is marked failInstall`;
    await step(`error: ${why}`);
    throw new InstallerError(INSTALLATION_ERROR, `installer exited with code ${INSTALLATION_ERROR}: ${why}`);
  }
  await step(`writing kernel and initramfs to /boot/${target}`);
  await step(`verifying /boot/${target}`);
  ctx.bootloader.install(ctx.currentVersion, {
    ref: image.ref,
    version: image.version,
    ...(image.failBoot ? { failBoot: true } : {}),
  });
  ctx.meta.update({ upgrade: before.default });
  await output(
    `set default boot entry to ${JSON.stringify(target)}, fallback ${JSON.stringify(before.default)}`,
  );
  await output("upgrade successful");
}
