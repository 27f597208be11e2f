// The runtime modes a config can be validated for (siderolabs/talos:
// internal/app/machined/pkg/runtime/mode.go): metal requires an install, container runs in a
// container, cloud and metal-agent neither.
import { UserError } from "../../errors.js";

export const VALIDATION_MODES = ["cloud", "container", "metal", "metal-agent"] as const;
export type ValidationMode = (typeof VALIDATION_MODES)[number];

export function parseValidationMode(value: string): ValidationMode {
  const mode = VALIDATION_MODES.find((m) => m === value);
  if (mode === undefined) {
    throw new UserError(`unknown runtime mode: "${value}" (valid modes: ${VALIDATION_MODES.join(", ")})`);
  }
  return mode;
}

/** Metal installs to a disk; the other modes boot an image that is already in place. */
export function requiresInstall(mode: ValidationMode): boolean {
  return mode === "metal";
}

export function inContainer(mode: ValidationMode): boolean {
  return mode === "container";
}
