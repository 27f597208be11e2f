// Comparing machine configs: a per-document unified diff with secrets redacted, and the
// strategic merge patch that turns one config into another.
export {
  type ConfigDiff,
  configPatch,
  type DiffOptions,
  diffConfigs,
  type PatchText,
  type PatchTextOptions,
} from "./diff.js";
export { holdsPrivateKey, REDACTED, type Redaction, redactData } from "./redact.js";
export { InexpressibleChangeError, type PatchBetweenOptions, strategicPatchBetween } from "./to-patch.js";
export { diffLines, type Edit, type UnifiedOptions, unifiedDiff } from "./unified.js";
