// Validation of machine configs for a runtime mode (config.md §5.3–§5.5).
export { CONTROL_PLANE_ONLY_KINDS } from "./container.js";
export { parseValidationMode, VALIDATION_MODES, type ValidationMode } from "./modes.js";
export { type ValidateOptions, type ValidationResult, validateMachineConfig } from "./validate.js";
