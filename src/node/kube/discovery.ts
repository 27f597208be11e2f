// What clients learn about the API before they use it: the version, the groups and their
// resources (legacy discovery and the aggregated APIGroupDiscoveryList of apidiscovery.k8s.io
// v2, which kubectl prefers), and OpenAPI documents with the operations and the query
// parameters kubectl looks for (it checks that PATCH takes `fieldValidation` before leaving
// validation to the server).
import { createHash } from "node:crypto";
import type { Json } from "./objects.js";
import { apiVersionOf, GROUP_ORDER, RESOURCES, type ResourceType, verbsOf } from "./resources.js";

export const AGGREGATED_DISCOVERY_V2 = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** The `/version` answer for a Kubernetes version such as `v1.37.0`. */
export function versionInfo(gitVersion: string, buildDate: string): Json {
  const m = /^v(\d+)\.(\d+)/.exec(gitVersion);
  return {
    major: m?.[1] ?? "1",
    minor: m?.[2] ?? "0",
    emulationMajor: m?.[1] ?? "1",
    emulationMinor: m?.[2] ?? "0",
    minCompatibilityMajor: m?.[1] ?? "1",
    minCompatibilityMinor: String(Math.max(0, Number(m?.[2] ?? "1") - 1)),
    gitVersion,
    gitCommit: createHash("sha1").update(gitVersion).digest("hex"),
    gitTreeState: "clean",
    buildDate,
    goVersion: "go1.25.1",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

function resourceEntries(r: ResourceType): Json[] {
  const main: Json = {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: verbsOf(r),
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    storageVersionHash: createHash("sha256")
      .update(`${apiVersionOf(r)}/${r.kind}`)
      .digest("base64")
      .slice(0, 11),
  };
  const subs = (r.subresources ?? []).map((s): Json => {
    switch (s) {
      case "status":
        return {
          name: `${r.plural}/status`,
          singularName: "",
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ["get", "patch", "update"],
        };
      case "eviction":
        return {
          name: `${r.plural}/eviction`,
          singularName: "",
          namespaced: true,
          group: "policy",
          version: "v1",
          kind: "Eviction",
          verbs: ["create"],
        };
      case "binding":
        return {
          name: `${r.plural}/binding`,
          singularName: "",
          namespaced: true,
          kind: "Binding",
          verbs: ["create"],
        };
      case "log":
        return { name: `${r.plural}/log`, singularName: "", namespaced: true, kind: "Pod", verbs: ["get"] };
      case "scale":
        return {
          name: `${r.plural}/scale`,
          singularName: "",
          namespaced: true,
          group: "autoscaling",
          version: "v1",
          kind: "Scale",
          verbs: ["get", "patch", "update"],
        };
      case "finalize":
        return {
          name: `${r.plural}/finalize`,
          singularName: "",
          namespaced: false,
          kind: r.kind,
          verbs: ["update"],
        };
      default:
        return {
          name: `${r.plural}/${s}`,
          singularName: "",
          namespaced: r.namespaced,
          kind: r.kind,
          verbs: ["get"],
        };
    }
  });
  return [main, ...subs];
}

/** `/api/v1` or `/apis/<group>/<version>`: an APIResourceList. */
export function resourceList(group: string, version: string): Json | undefined {
  const types = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group === "" ? version : `${group}/${version}`,
    resources: types.flatMap(resourceEntries),
  };
}

export function apiVersions(serverAddress: string): Json {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }],
  };
}

function groupEntry(group: string): Json {
  const version = RESOURCES.find((r) => r.group === group)!.version;
  const gv = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [gv], preferredVersion: gv };
}

export function apiGroup(group: string): Json | undefined {
  if (!GROUP_ORDER.includes(group)) return undefined;
  return { kind: "APIGroup", apiVersion: "v1", ...groupEntry(group) };
}

export function apiGroupList(): Json {
  return { kind: "APIGroupList", apiVersion: "v1", groups: GROUP_ORDER.map(groupEntry) };
}

function discoveryResource(r: ResourceType): Json {
  const subresources = (r.subresources ?? []).map((s): Json => {
    const base: Json = {
      subresource: s,
      verbs: ["get", "patch", "update"],
      responseKind: { group: r.group, version: r.version, kind: r.kind },
    };
    if (s === "eviction")
      return {
        subresource: s,
        verbs: ["create"],
        responseKind: { group: "policy", version: "v1", kind: "Eviction" },
      };
    if (s === "binding")
      return {
        subresource: s,
        verbs: ["create"],
        responseKind: { group: "", version: "v1", kind: "Binding" },
      };
    if (s === "log")
      return { subresource: s, verbs: ["get"], responseKind: { group: "", version: "v1", kind: "Pod" } };
    if (s === "scale")
      return { ...base, responseKind: { group: "autoscaling", version: "v1", kind: "Scale" } };
    if (s === "finalize") return { subresource: s, verbs: ["update"], responseKind: base.responseKind };
    return base;
  });
  return {
    resource: r.plural,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? "Namespaced" : "Cluster",
    singularResource: r.singular,
    verbs: verbsOf(r),
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
    ...(r.categories ? { categories: r.categories } : {}),
    ...(subresources.length > 0 ? { subresources } : {}),
  };
}

/** The aggregated discovery document of `/api` (legacy) or `/apis` (named groups). */
export function aggregatedDiscovery(legacy: boolean): Json {
  const groups = legacy ? [""] : GROUP_ORDER;
  return {
    kind: "APIGroupDiscoveryList",
    apiVersion: "apidiscovery.k8s.io/v2",
    metadata: {},
    items: groups.map((group) => {
      const types = RESOURCES.filter((r) => r.group === group);
      return {
        metadata: group === "" ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
        versions: [
          { version: types[0]!.version, resources: types.map(discoveryResource), freshness: "Current" },
        ],
      };
    }),
  };
}

// --- OpenAPI ---------------------------------------------------------------------------------

const QUERY = (name: string, type = "string"): Json => ({
  name,
  in: "query",
  schema: { type, uniqueItems: true },
});

function paths(group: string, version: string): Json {
  const out: Json = {};
  const prefix = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    const gvk = { group: r.group, version: r.version, kind: r.kind };
    const collection = r.namespaced
      ? `${prefix}/namespaces/{namespace}/${r.plural}`
      : `${prefix}/${r.plural}`;
    const op = (action: string, params: Json[] = []): Json => ({
      operationId: `${action}${r.kind}`,
      parameters: params,
      responses: { "200": { description: "OK" } },
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk,
    });
    out[collection] = {
      get: op("list", [
        QUERY("labelSelector"),
        QUERY("fieldSelector"),
        QUERY("limit", "integer"),
        QUERY("continue"),
      ]),
      post: op("post", [QUERY("dryRun"), QUERY("fieldManager"), QUERY("fieldValidation")]),
      delete: op("deletecollection"),
    };
    const item = `${collection}/{name}`;
    out[item] = {
      get: op("get"),
      put: op("put", [QUERY("dryRun"), QUERY("fieldManager"), QUERY("fieldValidation")]),
      patch: op("patch", [
        QUERY("dryRun"),
        QUERY("fieldManager"),
        QUERY("fieldValidation"),
        QUERY("force", "boolean"),
      ]),
      delete: op("delete", [
        QUERY("dryRun"),
        QUERY("gracePeriodSeconds", "integer"),
        QUERY("propagationPolicy"),
      ]),
    };
  }
  return out;
}

/** The OpenAPI v3 index: one document per group version. */
export function openApiV3Index(): Json {
  const gvs = [
    "api/v1",
    ...GROUP_ORDER.map((g) => `apis/${g}/${RESOURCES.find((r) => r.group === g)!.version}`),
  ];
  const hash = (p: string) => createHash("sha512").update(p).digest("hex").toUpperCase().slice(0, 128);
  return {
    paths: Object.fromEntries(gvs.map((p) => [p, { serverRelativeURL: `/openapi/v3/${p}?hash=${hash(p)}` }])),
  };
}

/** The OpenAPI v3 document of one group version (`api/v1`, `apis/apps/v1`). */
export function openApiV3Document(gvPath: string, kubernetesVersion: string): Json | undefined {
  const m = /^api\/(v1)$|^apis\/([^/]+)\/([^/]+)$/.exec(gvPath);
  if (!m) return undefined;
  const group = m[1] ? "" : m[2]!;
  const version = m[1] ?? m[3]!;
  if (!RESOURCES.some((r) => r.group === group && r.version === version)) return undefined;
  return {
    openapi: "3.0.0",
    info: { title: "Kubernetes", version: kubernetesVersion },
    paths: paths(group, version),
    components: { schemas: {} },
  };
}

/** The OpenAPI v2 document (JSON), for clients that only speak v2. */
export function openApiV2Document(kubernetesVersion: string): Json {
  const all: Json = {};
  const groups = ["", ...GROUP_ORDER];
  for (const g of groups) {
    const v = RESOURCES.find((r) => r.group === g)!.version;
    for (const [p, ops] of Object.entries(paths(g, v))) {
      const converted: Json = {};
      for (const [verb, op] of Object.entries(ops as Json)) {
        const o = op as Json;
        converted[verb] = {
          ...o,
          parameters: (o.parameters as Json[]).map((q) => ({
            name: q.name,
            in: "query",
            type: (q.schema as Json).type,
            uniqueItems: true,
          })),
        };
      }
      all[p] = converted;
    }
  }
  return {
    swagger: "2.0",
    info: { title: "Kubernetes", version: kubernetesVersion },
    paths: all,
    definitions: {},
  };
}
