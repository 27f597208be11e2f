// What the `talosctl gen` subcommands share: --force (a persistent flag of `gen` in talosctl)
// and the check of --hours.
import { UserError } from "../../../errors.js";
import { flag } from "../../command.js";

export const forceFlag = {
  force: flag.bool({ short: "f", global: true, describe: "will overwrite existing files" }),
} as const;

/** --hours must leave a certificate some validity (pflag has checked it is a whole number). */
export function positiveHours(hours: number): number {
  if (hours <= 0) {
    throw new UserError(
      `invalid --hours ${JSON.stringify(String(hours))}: expected a positive whole number of hours`,
    );
  }
  return hours;
}
