// Compiles Talos's machine-config JSON schemas (reference/talos/schemas) into the compact field
// model the CLI carries (src/config/schema/generated/config-model.ts): per schema generation,
// which kinds exist and each kind's field tree with types, enum choices and required fields.
// Only structure is read, never descriptions. Known schema errata are corrected here, and the v1alpha1 fields
// Talos still decodes but no schema lists are added (marked deprecated).
//
// Usage: node scripts/build-config-model.mjs [--check] [--schemas DIR]
//   --check  fail (exit 1) when the committed file differs from what the schemas produce

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const OUT = "src/config/schema/generated/config-model.ts";

const args = process.argv.slice(2);
const check = args.includes("--check");
const schemasAt = args.indexOf("--schemas");
const schemaDir =
  schemasAt >= 0 ? resolve(args[schemasAt + 1]) : resolve(root, "reference", "talos", "schemas");

/** Schema generations carried by the model; contracts 1.14 and later use the 1.15 schema. */
const VERSIONS = ["1.12", "1.13", "1.15"];

/** Kind names the schemas spell wrongly (the registry uses the right-hand names). */
const KIND_RENAMES = {
  UnattendedInstall: "UnattendedInstallConfig",
  KubeSpanEndpoints: "KubeSpanEndpointsConfig",
};

// ---------------------------------------------------------------------------------------------
// Node helpers for the errata below: compact nodes in the model's own shape.
const str = { type: "string" };
const int = { type: "int" };
const bool = { type: "bool" };
const strList = { type: "array", items: str };
const strMap = { type: "map", values: str };
const duration = { type: "string", pattern: "^[-+]?(((\\d+(\\.\\d*)?|\\d*(\\.\\d+)+)([nuµm]?s|m|h))|0)+$" };
const obj = (fields, extra = {}) => ({ type: "object", fields, ...extra });
const list = (items) => ({ type: "array", items });
const ref = (name) => ({ ref: name });

/**
 * v1alpha1 definitions that no schema carries: the types of deprecated fields Talos still
 * decodes (hidden from its docs and schemas). Names use a `legacy.` prefix.
 */
const LEGACY_DEFS = {
  "legacy.DeviceSelector": obj({
    busPath: str,
    hardwareAddr: str,
    permanentAddr: str,
    pciID: str,
    driver: str,
    physical: bool,
  }),
  "legacy.Route": obj({ network: str, gateway: str, source: str, metric: int, mtu: int }),
  "legacy.DHCPOptions": obj({ routeMetric: int, ipv4: bool, ipv6: bool, duidv6: str }),
  "legacy.VIP": obj({
    ip: str,
    equinixMetal: obj({ apiToken: str }),
    hcloud: obj({ apiToken: str }),
  }),
  "legacy.Bond": obj({
    interfaces: strList,
    deviceSelectors: list(ref("legacy.DeviceSelector")),
    arpIPTarget: strList,
    mode: str,
    xmitHashPolicy: str,
    lacpRate: str,
    adActorSystem: str,
    arpValidate: str,
    arpAllTargets: str,
    primary: str,
    primaryReselect: str,
    failOverMac: str,
    adSelect: str,
    miimon: int,
    updelay: int,
    downdelay: int,
    arpInterval: int,
    resendIgmp: int,
    minLinks: int,
    lpInterval: int,
    packetsPerSlave: int,
    numPeerNotif: int,
    tlbDynamicLb: int,
    allSlavesActive: int,
    useCarrier: bool,
    adActorSysPrio: int,
    adUserPortKey: int,
    peerNotifyDelay: int,
  }),
  "legacy.Bridge": obj({
    interfaces: strList,
    stp: obj({ enabled: bool }),
    vlan: obj({ vlanFiltering: bool }),
  }),
  "legacy.Vlan": obj({
    addresses: strList,
    cidr: str,
    routes: list(ref("legacy.Route")),
    dhcp: bool,
    vlanId: int,
    mtu: int,
    vip: ref("legacy.VIP"),
    dhcpOptions: ref("legacy.DHCPOptions"),
  }),
  "legacy.Wireguard": obj({
    privateKey: str,
    listenPort: int,
    firewallMark: int,
    peers: list(
      obj({ publicKey: str, endpoint: str, persistentKeepaliveInterval: duration, allowedIPs: strList }),
    ),
  }),
  "legacy.Device": obj({
    interface: str,
    deviceSelector: ref("legacy.DeviceSelector"),
    addresses: strList,
    cidr: str,
    routes: list(ref("legacy.Route")),
    bond: ref("legacy.Bond"),
    bridge: ref("legacy.Bridge"),
    bridgePort: obj({ master: str }),
    vlans: list(ref("legacy.Vlan")),
    mtu: int,
    dhcp: bool,
    ignore: bool,
    dummy: bool,
    dhcpOptions: ref("legacy.DHCPOptions"),
    wireguard: ref("legacy.Wireguard"),
    vip: ref("legacy.VIP"),
  }),
  "legacy.Encryption": obj({
    provider: str,
    keys: list(
      obj({
        static: obj({ passphrase: str }),
        nodeID: obj({}),
        kms: obj({ endpoint: str }),
        slot: int,
        tpm: obj({ checkSecurebootStatusOnEnroll: bool }),
      }),
    ),
    cipher: str,
    keySize: int,
    blockSize: int,
    options: strList,
  }),
  "legacy.Registries": obj({
    mirrors: {
      type: "map",
      values: obj({ endpoints: strList, overridePath: bool, skipFallback: bool }),
    },
    config: {
      type: "map",
      values: obj({
        tls: obj({ clientIdentity: obj({ crt: str, key: str }), ca: str, insecureSkipVerify: bool }),
        auth: obj({ username: str, password: str, auth: str, identityToken: str }),
      }),
    },
  }),
};

/**
 * Deprecated v1alpha1 fields per definition: [field, node, the field it follows in Go order].
 * A field a schema does carry keeps the schema's node.
 */
const LEGACY_FIELDS = {
  "v1alpha1.Config": [["persist", bool, "debug"]],
  "v1alpha1.MachineConfig": [
    ["network", ref("v1alpha1.NetworkConfig"), "pods"],
    [
      "disks",
      list(obj({ device: str, partitions: list(obj({ size: { type: "scalar" }, mountpoint: str })) })),
      "network",
    ],
    ["env", strMap, "files"],
    ["time", obj({ disabled: bool, servers: strList, bootTimeout: duration }), "env"],
    ["registries", ref("legacy.Registries"), "sysfs"],
    [
      "systemDiskEncryption",
      obj({ state: ref("legacy.Encryption"), ephemeral: ref("legacy.Encryption") }),
      "registries",
    ],
  ],
  "v1alpha1.NetworkConfig": [
    ["hostname", str, null],
    ["interfaces", list(ref("legacy.Device")), "hostname"],
    ["nameservers", strList, "interfaces"],
    ["searchDomains", strList, "nameservers"],
    ["extraHostEntries", list(obj({ ip: str, aliases: strList })), "searchDomains"],
    ["kubespan", ref("v1alpha1.NetworkKubeSpan"), "extraHostEntries"],
    ["disableSearchDomain", bool, "kubespan"],
  ],
  "v1alpha1.InstallConfig": [
    ["extraKernelArgs", strList, "diskSelector"],
    ["extensions", list(obj({ image: str })), "image"],
    ["bootloader", bool, "extensions"],
  ],
  "v1alpha1.ClusterConfig": [["allowSchedulingOnMasters", bool, "adminKubeconfig"]],
  "v1alpha1.APIServerConfig": [["disablePodSecurityPolicy", bool, "certSANs"]],
  "v1alpha1.EtcdConfig": [["subnet", str, "extraArgs"]],
  "v1alpha1.FeaturesConfig": [
    ["rbac", bool, null],
    ["stableHostname", bool, "rbac"],
    ["apidCheckExtKeyUsage", bool, "kubernetesTalosAPIAccess"],
  ],
};

/** Where a schema says something other than what Talos decodes: [def, field, correct node]. */
const TYPE_FIXES = [
  // Both are lists of {crt} in the Go types; the schemas describe a single object.
  ["v1alpha1.MachineConfig", "acceptedCAs", list(obj({ crt: str }))],
  ["v1alpha1.ClusterConfig", "acceptedCAs", list(obj({ crt: str }))],
  // `version` is neither used for detection nor checked.
  ["v1alpha1.Config", "version", str],
];

/**
 * Multi-document fields a schema types wrongly, fixed in every generation that has them:
 * RoutingRuleConfig's action is a named value (nethelpers.RoutingRuleAction's text form), and
 * ContainerConfig's mount options and dependsOn networks are lists of strings in the Go types.
 */
const KIND_FIELD_FIXES = [
  [
    "network.RoutingRuleConfigV1Alpha1",
    "action",
    { type: "string", enum: ["unspec", "unicast", "blackhole", "unreachable", "prohibit"] },
  ],
  ["container.UserVolumeMount", "options", strList],
  ["container.ContainerDependsOn", "networks", strList],
];

/** Definitions the schemas model as something else than Talos decodes. */
const DEF_FIXES = {
  // A URL written as a string (the schema shows an empty object).
  "v1alpha1.Endpoint": str,
};

/**
 * Kinds Talos registers that a schema generation lacks. ImageVerificationConfig: only what the
 * spec states is typed (rules matched by imagePattern); everything else is accepted unchecked.
 */
const EXTRA_KINDS = {
  1.15: {
    ImageVerificationConfig: {
      named: false,
      loose: true,
      root: obj(
        {
          apiVersion: { type: "string", enum: ["v1alpha1"] },
          kind: { type: "string", enum: ["ImageVerificationConfig"] },
          rules: list(obj({ imagePattern: str }, { open: true })),
        },
        { open: true, required: ["apiVersion", "kind"] },
      ),
    },
  },
};

// ---------------------------------------------------------------------------------------------

function fail(message) {
  console.error(`build-config-model: ${message}`);
  process.exit(1);
}

function readSchema(version) {
  const file = join(schemaDir, `config-v${version}.schema.json`);
  if (!existsSync(file)) fail(`schema not found: ${file}`);
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    fail(`cannot read ${file}: ${err instanceof Error ? err.message : err}`);
  }
}

function refName(ref) {
  const prefix = "#/$defs/";
  if (!ref.startsWith(prefix)) fail(`unsupported $ref ${ref}`);
  return ref.slice(prefix.length);
}

function enumType(values) {
  if (values.every((v) => typeof v === "string")) return "string";
  if (values.every((v) => typeof v === "boolean")) return "bool";
  if (values.every((v) => Number.isInteger(v))) return "int";
  if (values.every((v) => typeof v === "number")) return "number";
  return "scalar";
}

/** One JSON-schema node → a compact node (refs kept as refs). */
function compile(node, where) {
  if (node.$ref !== undefined) return { ref: refName(node.$ref) };
  if (node.oneOf !== undefined || node.anyOf !== undefined) {
    const alts = (node.oneOf ?? node.anyOf).map((n, i) => compile(n, `${where}|${i}`));
    const types = new Set(alts.map((a) => a.type));
    if (
      alts.length === 2 &&
      types.has("string") &&
      types.has("array") &&
      alts.find((a) => a.type === "array").items?.type === "string"
    ) {
      return { type: "string-or-list" };
    }
    if ([...types].every((t) => t === "string" || t === "int" || t === "number" || t === "bool")) {
      return { type: "scalar" };
    }
    console.warn(`build-config-model: ${where}: union of ${[...types].join(", ")} accepted unchecked`);
    return { type: "any" };
  }
  const out = {};
  let type = node.type;
  if (Array.isArray(type)) fail(`${where}: type lists are not supported`);
  if (type === undefined && node.enum !== undefined) type = enumType(node.enum);
  switch (type) {
    case "string":
      out.type = "string";
      break;
    case "integer":
    case "int":
      out.type = "int";
      break;
    case "number":
      out.type = "number";
      break;
    case "boolean":
    case "bool":
      out.type = "bool";
      break;
    case "scalar":
      out.type = "scalar";
      break;
    case "array":
      out.type = "array";
      out.items = node.items === undefined ? { type: "any" } : compile(node.items, `${where}[]`);
      if (node.minItems !== undefined) out.minItems = node.minItems;
      break;
    case "object": {
      if (node.properties !== undefined) {
        out.type = "object";
        out.fields = {};
        for (const [key, value] of Object.entries(node.properties)) {
          out.fields[key] = compile(value, `${where}.${key}`);
        }
        if (Array.isArray(node.required) && node.required.length > 0) out.required = [...node.required];
      } else if (node.patternProperties !== undefined) {
        const patterns = Object.values(node.patternProperties);
        if (patterns.length !== 1) fail(`${where}: several patternProperties`);
        out.type = "map";
        out.values = compile(patterns[0], `${where}{}`);
      } else if (node.additionalProperties !== undefined && typeof node.additionalProperties === "object") {
        out.type = "map";
        out.values = compile(node.additionalProperties, `${where}{}`);
      } else {
        out.type = "unstructured";
      }
      break;
    }
    case undefined:
      console.warn(`build-config-model: ${where}: no type, accepted unchecked`);
      out.type = "any";
      break;
    default:
      fail(`${where}: unsupported type ${type}`);
  }
  if (node.enum !== undefined) out.enum = [...node.enum];
  if (node.pattern !== undefined) {
    try {
      new RegExp(node.pattern, "u");
    } catch (err) {
      fail(`${where}: pattern ${node.pattern} is not a JavaScript regular expression: ${err.message}`);
    }
    out.pattern = node.pattern;
  }
  if (node.minimum !== undefined) out.minimum = node.minimum;
  if (node.maximum !== undefined) out.maximum = node.maximum;
  return out;
}

/** Fields of `b` added into `a` (a copy), keeping `a`'s order and placing new ones after their predecessor. */
function unionNodes(a, b) {
  if (a.type !== "object" || b.type !== "object") return a;
  const order = Object.keys(a.fields);
  const fields = { ...a.fields };
  let previous = null;
  for (const [key, node] of Object.entries(b.fields)) {
    if (fields[key] === undefined) {
      const at = previous === null ? 0 : order.indexOf(previous) + 1;
      order.splice(at, 0, key);
      fields[key] = node;
    } else {
      fields[key] = unionNodes(fields[key], node);
    }
    previous = key;
  }
  const out = { ...a, fields: Object.fromEntries(order.map((k) => [k, fields[k]])) };
  return out;
}

function withField(def, field, node, after, deprecated) {
  if (def.fields[field] !== undefined) return def;
  const order = Object.keys(def.fields);
  const at = after === null ? 0 : order.indexOf(after) + 1;
  if (after !== null && order.indexOf(after) < 0) order.push(field);
  else order.splice(at, 0, field);
  const fields = { ...def.fields, [field]: deprecated ? { ...node, deprecated: true } : node };
  return { ...def, fields: Object.fromEntries(order.map((k) => [k, fields[k]])) };
}

function markDeprecated(def, current) {
  // Fields absent from this generation's own schema are still decoded, but deprecated.
  if (def.type !== "object" || current === undefined || current.type !== "object") return def;
  const fields = {};
  for (const [key, node] of Object.entries(def.fields)) {
    fields[key] =
      current.fields[key] === undefined && !node.deprecated ? { ...node, deprecated: true } : node;
  }
  return { ...def, fields };
}

const compiled = {};
for (const version of VERSIONS) {
  const schema = readSchema(version);
  const defs = {};
  for (const [name, node] of Object.entries(schema.$defs ?? {})) {
    defs[name] = DEF_FIXES[name] ?? compile(node, name);
  }
  const roots = (schema.oneOf ?? []).map((r) => refName(r.$ref));
  compiled[version] = { defs, roots };
}

const versions = {};
for (const [index, version] of VERSIONS.entries()) {
  const { defs: own, roots } = compiled[version];
  const defs = { ...own };
  // The legacy document: every generation up to this one, plus the fields no schema lists.
  for (const older of VERSIONS.slice(0, index).reverse()) {
    for (const [name, node] of Object.entries(compiled[older].defs)) {
      if (!name.startsWith("v1alpha1.")) continue;
      defs[name] = defs[name] === undefined ? node : unionNodes(defs[name], node);
    }
  }
  for (const name of Object.keys(defs)) {
    if (name.startsWith("v1alpha1."))
      defs[name] = markDeprecated(defs[name], own[name] ?? { type: "object", fields: {} });
  }
  Object.assign(defs, LEGACY_DEFS);
  for (const [name, fields] of Object.entries(LEGACY_FIELDS)) {
    if (defs[name] === undefined) defs[name] = obj({});
    for (const [field, node, after] of fields) defs[name] = withField(defs[name], field, node, after, true);
  }
  for (const [name, field, node] of TYPE_FIXES) {
    const def = defs[name];
    if (def?.fields?.[field] === undefined) fail(`${version}: ${name}.${field} to fix is missing`);
    const keep = def.fields[field].deprecated ? { deprecated: true } : {};
    defs[name] = { ...def, fields: { ...def.fields, [field]: { ...node, ...keep } } };
  }

  for (const [name, field, node] of KIND_FIELD_FIXES) {
    const def = defs[name];
    if (def?.fields?.[field] !== undefined) defs[name] = { ...def, fields: { ...def.fields, [field]: node } };
  }

  const kinds = {};
  for (const root of roots) {
    const node = defs[root];
    if (node?.type !== "object") fail(`${version}: root ${root} is not an object`);
    if (root === "v1alpha1.Config") {
      kinds.v1alpha1 = { def: root, named: false };
      continue;
    }
    const kindEnum = node.fields.kind?.enum;
    if (!Array.isArray(kindEnum) || kindEnum.length !== 1) fail(`${version}: ${root} has no single kind`);
    const kind = KIND_RENAMES[kindEnum[0]] ?? kindEnum[0];
    if (kind !== kindEnum[0]) {
      defs[root] = { ...node, fields: { ...node.fields, kind: { ...node.fields.kind, enum: [kind] } } };
    }
    kinds[kind] = { def: root, named: node.fields.name !== undefined };
  }
  for (const [kind, extra] of Object.entries(EXTRA_KINDS[version] ?? {})) {
    if (kinds[kind] !== undefined) continue;
    const def = `extra.${kind}`;
    defs[def] = extra.root;
    kinds[kind] = { def, named: extra.named, loose: extra.loose };
  }

  // Keep only what the kinds reach.
  const reached = new Set();
  const visit = (node) => {
    if (node === undefined) return;
    if (node.ref !== undefined) {
      if (reached.has(node.ref)) return;
      if (defs[node.ref] === undefined) fail(`${version}: dangling reference ${node.ref}`);
      reached.add(node.ref);
      visit(defs[node.ref]);
      return;
    }
    for (const child of Object.values(node.fields ?? {})) visit(child);
    visit(node.items);
    visit(node.values);
  };
  for (const { def } of Object.values(kinds)) visit({ ref: def });
  const kept = {};
  for (const name of [...reached].sort()) kept[name] = defs[name];
  versions[version] = {
    kinds: Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : 1))),
    defs: kept,
  };
}

// Share definitions that are the same in several generations: the pool holds one copy under
// the plain name (the newest generation's), others under `name@version`.
const pool = {};
const aliases = {};
for (const version of [...VERSIONS].reverse()) {
  aliases[version] = {};
  for (const [name, node] of Object.entries(versions[version].defs)) {
    const text = JSON.stringify(node);
    if (pool[name] === undefined) pool[name] = node;
    else if (JSON.stringify(pool[name]) !== text) {
      pool[`${name}@${version}`] = node;
      aliases[version][name] = `${name}@${version}`;
    }
  }
}

const model = {
  versions: Object.fromEntries(
    VERSIONS.map((v) => [
      v,
      { kinds: versions[v].kinds, defs: Object.keys(versions[v].defs), aliases: aliases[v] },
    ]),
  ),
  defs: Object.fromEntries(
    Object.keys(pool)
      .sort()
      .map((k) => [k, pool[k]]),
  ),
};

const header = [
  "// @generated by scripts/build-config-model.mjs from Talos's config JSON schemas (v1.12, v1.13, v1.15); do not edit.",
  "// Regenerate with `npm run generate:config-model`.",
  "",
  'import type { CompactModel } from "../compact.js";',
  "",
  `export const CONFIG_MODEL: CompactModel = ${JSON.stringify(model)};`,
  "",
].join("\n");

/** Formats with the project's formatter so the committed file passes the lint step as is. */
function format(text) {
  try {
    return execFileSync(join(root, "node_modules", ".bin", "biome"), ["format", `--stdin-file-path=${OUT}`], {
      cwd: root,
      input: text,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
    }).toString();
  } catch (err) {
    fail(`formatting failed: ${err instanceof Error ? err.message : err}`);
  }
}

const text = format(header);
const target = join(root, OUT);
if (check) {
  const current = existsSync(target) ? readFileSync(target, "utf8") : "";
  if (current !== text) fail(`${OUT} is stale (run npm run generate:config-model)`);
  console.log(`build-config-model: ${OUT} is up to date`);
} else {
  writeFileSync(target, text);
  const kinds = VERSIONS.map((v) => `${v}: ${Object.keys(versions[v].kinds).length} kinds`).join(", ");
  console.log(`build-config-model: wrote ${OUT} (${text.length} bytes; ${kinds})`);
}
