// The facts about fields that the JSON schemas cannot express but a strategic merge needs:
// `merge:"replace"` fields, keyed lists, atomic values, extraArgs, and which fields are Go
// pointers. Read from the Go types and their Merge methods (siderolabs/talos:
// pkg/machinery/config/types/**), which pkg/machinery/config/merge/merge.go honours.
import type { ConfigPath } from "../document.js";
import { LEGACY_KIND } from "../document.js";
import { documentSchema } from "./model.js";
import type { FieldInfo, MergeRule, SchemaContract, SchemaNode } from "./types.js";

/** Rules by document and path (`[]`: any list item; kind "*": every multi-document kind). */
export const MERGE_RULES: readonly MergeRule[] = [
  // Fields tagged `merge:"replace"`: a non-nil patch value replaces the whole field.
  { kind: LEGACY_KIND, path: "cluster.network.podSubnets", mergeReplace: true, note: "slice" },
  { kind: LEGACY_KIND, path: "cluster.network.serviceSubnets", mergeReplace: true, note: "slice" },
  { kind: LEGACY_KIND, path: "cluster.apiServer.auditPolicy", mergeReplace: true, note: "Unstructured" },
  { kind: "KubeNetworkConfig", path: "podSubnets", mergeReplace: true, note: "slice" },
  { kind: "KubeNetworkConfig", path: "serviceSubnets", mergeReplace: true, note: "slice" },
  { kind: "KubeAuditPolicyConfig", path: "configuration", mergeReplace: true, note: "Unstructured" },
  { kind: "KubeAuthenticationConfig", path: "configuration", mergeReplace: true, note: "Unstructured" },
  {
    kind: "KubeCredentialProviderConfig",
    path: "configuration",
    mergeReplace: true,
    note: "Unstructured",
  },
  { kind: "KubeStaticPodConfig", path: "pod", mergeReplace: true, note: "Unstructured" },
  { kind: "CRIBaseRuntimeSpecConfig", path: "overrides", mergeReplace: true, note: "Unstructured" },
  { kind: "BGPInstanceConfig", path: "advertise", mergeReplace: true, note: "slice" },
  { kind: "BGPInstanceConfig", path: "importRoutes", mergeReplace: true, note: "slice" },
  { kind: "BGPInstanceConfig", path: "neighbors", mergeReplace: true, note: "slice" },
  { kind: "NetworkRuleConfig", path: "ingress", mergeReplace: true, note: "slice" },
  { kind: "NetworkRuleConfig", path: "portSelector.ports", mergeReplace: true, note: "slice" },

  // Lists whose Merge matches items by key (siderolabs/talos, under pkg/machinery/config/types:
  // v1alpha1/v1alpha1_types.go NetworkDeviceList, VlanList and AdmissionPluginConfigList;
  // runtime/extensions/service_config.go ConfigFileList; security/image_verification.go
  // ImageVerificationRules).
  {
    kind: LEGACY_KIND,
    path: "machine.network.interfaces",
    keyedBy: { keys: ["interface", "deviceSelector"], onMatch: "merge" },
    note: "by interface name, else by deviceSelector equality",
  },
  {
    kind: LEGACY_KIND,
    path: "machine.network.interfaces[].vlans",
    keyedBy: { keys: ["vlanId"], onMatch: "merge" },
    note: "by vlanId",
  },
  {
    kind: LEGACY_KIND,
    path: "cluster.apiServer.admissionControl",
    keyedBy: { keys: ["name"], onMatch: "merge" },
    note: "by name, configuration deep-merged",
  },
  {
    kind: "ExtensionServiceConfig",
    path: "configFiles",
    keyedBy: { keys: ["mountPath"], onMatch: "merge" },
    note: "by mountPath",
  },
  {
    kind: "ImageVerificationConfig",
    path: "rules",
    keyedBy: { keys: ["imagePattern"], onMatch: "replace" },
    note: "by imagePattern, a matched rule is replaced wholesale",
  },

  // meta.Args (siderolabs/talos: pkg/machinery/config/types/meta/args.go) — every extraArgs that
  // is a mapping (flannel's extraArgs is a plain list).
  { kind: "*", path: "extraArgs", anyDepth: true, args: true, note: "meta.Args: per-key replace" },
  { kind: LEGACY_KIND, path: "extraArgs", anyDepth: true, args: true, note: "meta.Args: per-key replace" },

  // Atomic values replaced unconditionally: their Merge always takes the patch's value
  // (siderolabs/talos: pkg/machinery/config/types/block/byte_size.go and percentage_size.go,
  // pkg/machinery/cel/cel.go).
  { kind: "*", path: "match", anyDepth: true, atomic: "always", note: "cel.Expression" },
  { kind: "*", path: "minSize", anyDepth: true, atomic: "always", note: "ByteSize" },
  { kind: "*", path: "maxSize", anyDepth: true, atomic: "always", note: "ByteSize/PercentageSize" },
  { kind: "*", path: "minAllocationGroupSize", anyDepth: true, atomic: "always", note: "ByteSize" },
  { kind: "OOMConfig", path: "triggerExpression", atomic: "always", note: "cel.Expression" },
  { kind: "OOMConfig", path: "cgroupRankingExpression", atomic: "always", note: "cel.Expression" },
];

/**
 * Where the pointer rule below is wrong. In Talos's Go types every bool is a pointer except these
 * two, and structs are pointers except the value structs of the legacy document listed here;
 * scalars (strings, numbers) are values except the pointer scalars listed here.
 */
export const POINTER_FIELDS: readonly {
  kind: string;
  path: string;
  pointer: boolean;
  anyDepth?: boolean;
  note: string;
}[] = [
  { kind: LEGACY_KIND, path: "cluster.apiServer.extraVolumes[].readonly", pointer: false, note: "bool" },
  {
    kind: LEGACY_KIND,
    path: "cluster.controllerManager.extraVolumes[].readonly",
    pointer: false,
    note: "bool",
  },
  { kind: LEGACY_KIND, path: "cluster.scheduler.extraVolumes[].readonly", pointer: false, note: "bool" },
  {
    kind: "*",
    path: "extraVolumes[].readonly",
    pointer: false,
    anyDepth: true,
    note: "VolumeMountConfig.readonly",
  },
  {
    kind: "BGPInstanceConfig",
    path: "neighbors[].passive",
    pointer: false,
    note: "BGP neighbor.passive",
  },
  { kind: LEGACY_KIND, path: "machine.registries", pointer: false, note: "value struct" },
  { kind: LEGACY_KIND, path: "cluster.discovery.registries", pointer: false, note: "value struct" },
  {
    kind: LEGACY_KIND,
    path: "cluster.discovery.registries.kubernetes",
    pointer: false,
    note: "value struct",
  },
  { kind: LEGACY_KIND, path: "cluster.discovery.registries.service", pointer: false, note: "value struct" },
  { kind: LEGACY_KIND, path: "machine.network.kubespan.mtu", pointer: true, note: "*uint32" },
  { kind: "KubeSpanConfig", path: "mtu", pointer: true, note: "*uint32" },
];

/** `a.b[3].c` and `a.b[].c` both become `a.b[].c`; map keys stay as written. */
function normalize(path: ConfigPath): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += "[]";
    else out += out === "" ? p : `.${p}`;
  }
  return out;
}

function ruleMatches(
  rule: { kind: string; path: string; anyDepth?: boolean },
  kind: string,
  path: string,
): boolean {
  const kindOk = rule.kind === kind || (rule.kind === "*" && kind !== LEGACY_KIND);
  if (!kindOk) return false;
  return path === rule.path || (rule.anyDepth === true && path.endsWith(`.${rule.path}`));
}

/**
 * The schema patterns of netip values (meta.Addr, meta.Prefix, meta.AddrPort): atomic, replaced
 * only by a non-zero patch value (their Merge methods in siderolabs/talos:
 * pkg/machinery/config/types/meta/network.go).
 */
export const ADDRESS_PATTERNS: ReadonlyMap<string, "ip" | "prefix" | "addrport"> = new Map([
  ["^[0-9a-f.:]+$", "ip"],
  ["^[0-9a-f.:]+/\\d{1,3}$", "prefix"],
  ["^([0-9a-f.:]+|\\[[0-9a-f:.]+\\]):\\d{1,5}$", "addrport"],
]);

function defaultPointer(node: SchemaNode): boolean {
  switch (node.type) {
    case "bool":
    case "object":
      return true;
    default:
      return false;
  }
}

/**
 * What a merge needs to know about the field at `path` of a `kind` document, or undefined
 * when the kind or the path is unknown. List items are addressed by any index, map values by
 * any key.
 */
export function fieldInfo(kind: string, path: ConfigPath, contract?: SchemaContract): FieldInfo | undefined {
  const schema = documentSchema(kind, contract);
  if (schema === undefined) return undefined;
  const node = schema.at(path);
  if (node === undefined) return undefined;
  const at = normalize(path);
  let info: {
    -readonly [K in keyof FieldInfo]: FieldInfo[K];
  } = { type: node.type, node, pointer: defaultPointer(node), mergeReplace: false };
  for (const rule of MERGE_RULES) {
    if (!ruleMatches(rule, kind, at)) continue;
    // extraArgs that are plain lists (flannel) are ordinary slices.
    if (rule.args === true && node.type !== "map" && node.type !== "unstructured") continue;
    // Atomic rules are about scalars; a same-named object is not one.
    if (rule.atomic !== undefined && node.type !== "string" && node.type !== "scalar") continue;
    info = {
      ...info,
      ...(rule.mergeReplace === true ? { mergeReplace: true } : {}),
      ...(rule.keyedBy !== undefined ? { keyedBy: rule.keyedBy } : {}),
      ...(rule.atomic !== undefined ? { atomic: rule.atomic } : {}),
      ...(rule.args === true ? { args: true } : {}),
    };
  }
  if (kind !== LEGACY_KIND && info.atomic === undefined && node.pattern !== undefined) {
    if (ADDRESS_PATTERNS.has(node.pattern)) info.atomic = "when-set";
  }
  for (const p of POINTER_FIELDS) {
    if (ruleMatches(p, kind, at)) info.pointer = p.pointer;
  }
  return info;
}
