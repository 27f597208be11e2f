// talosctl image talos-bundle [talos-version]: Talos's own images of a release (installer base,
// imager, talos, talosctl-all, the overlay and extension manifests). The official extensions
// and overlays come from their manifests in the registry, which this talosctl does not reach:
// it says so unless --extensions=false --overlays=false.
import { UserError } from "../../../errors.js";
import { TALOS_VERSION } from "../../../version.js";
import { talosBundle } from "../../../wire/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { namespaceFlag, semverError } from "./flags.js";

const MINIMUM = [1, 11, 0] as const;

function parts(tag: string): { core: [number, number, number]; pre: boolean } {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.-]+)?/.exec(tag.trim());
  return {
    core: [Number(m?.[1] ?? 0), Number(m?.[2] ?? 0), Number(m?.[3] ?? 0)],
    pre: m?.[4] !== undefined,
  };
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

export const command = defineCommand({
  use: "[talos-version]",
  args: args.range(0, 1),
  flags: {
    ...namespaceFlag,
    overlays: flag.bool({
      default: true,
      global: true,
      describe: "Include images that belong to Talos overlays",
    }),
    extensions: flag.bool({
      default: true,
      global: true,
      describe: "Include images that belong to Talos extensions",
    }),
  },
  examples: [["$0 v1.13.4 --extensions=false --overlays=false", "the system images of v1.13.4"]],
  async handler({ flags, args }, ctx: CliContext) {
    const tag = args[0] ?? TALOS_VERSION;
    if (args[0] !== undefined) {
      if (!tag.startsWith("v"))
        throw new UserError(`invalid tag ${JSON.stringify(tag)}: must have "v" prefix`);
      if (semverError(tag))
        throw new UserError(`invalid argument ${JSON.stringify(tag)}: tag must be a valid semver`);
      const own = parts(TALOS_VERSION).core;
      const maximum = [own[0], own[1] + 1, 0];
      const v = parts(tag);
      // The minimum is a pre-release of 1.11.0, so 1.11.0's own pre-releases are in range.
      const low = compare(v.core, MINIMUM) < 0;
      const high = compare(v.core, maximum) >= 0;
      if (low || high) {
        throw new UserError(
          `invalid tag ${JSON.stringify(tag)}: must be between v1.11.0-alpha.0 (inclusive) and v${maximum.join(".")} (exclusive)`,
        );
      }
    }
    const legacy = compare(parts(tag).core, [1, 14, 0]) < 0;
    ctx.stdout.write(`${talosBundle(tag, legacy).join("\n")}\n`);
    const source = flags.extensions ? "extensions" : flags.overlays ? "overlays" : undefined;
    if (source) {
      throw new UserError(
        `error fetching official ${source} for ${tag}: this talosctl works offline and cannot read ghcr.io/siderolabs/${source}:${tag} from the registry (use --extensions=false --overlays=false)`,
      );
    }
  },
});
