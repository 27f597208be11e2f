// Every document kind's rules, by kind.
import type { KindRules, KindTable } from "../check.js";
import { BLOCK_RULES } from "./block.js";
import { K8S_RULES } from "./k8s.js";
import { NETWORK_RULES } from "./network.js";
import { RUNTIME_RULES } from "./runtime.js";

export const KIND_RULES: KindTable = { ...BLOCK_RULES, ...K8S_RULES, ...NETWORK_RULES, ...RUNTIME_RULES };

export function kindRules(kind: string): KindRules | undefined {
  return Object.hasOwn(KIND_RULES, kind) ? KIND_RULES[kind] : undefined;
}
