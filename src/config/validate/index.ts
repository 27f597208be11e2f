// Validation of machine configs for a runtime mode: the whole config, the v1alpha1 document and
// every other document kind, with Talos's rules and words.
export type { TalosVersion } from "./check.js";
export { kubernetesImageTagError } from "./compat.js";
export { CONTROL_PLANE_ONLY_KINDS } from "./container.js";
export { parseValidationMode, VALIDATION_MODES, type ValidationMode } from "./modes.js";
export { PROMOTABLE_VOLUMES, type RuntimeDisk, type RuntimeState, systemVolumeBacking } from "./runtime.js";
export { type ValidateOptions, type ValidationResult, validateMachineConfig } from "./validate.js";
