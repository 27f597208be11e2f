// The flags apply-config, edit and patch share to say how a config change is applied: the
// mode, and how long a `try` lasts before the node rolls the change back.
import { APPLY_MODE_NAMES } from "../client/index.js";
import { flag } from "./args/spec.js";
import { oneOf } from "./flags.js";

export const applyModeFlags = {
  mode: flag.string({
    short: "m",
    default: "auto",
    choices: APPLY_MODE_NAMES,
    validate: oneOf(APPLY_MODE_NAMES),
    describe: `apply config mode (${APPLY_MODE_NAMES.join(", ")})`,
  }),
  timeout: flag.duration({
    default: "1m0s",
    describe: "the config will be rolled back after specified timeout (if try mode is selected)",
  }),
} as const;
