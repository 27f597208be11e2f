// The verbs on resources: get, list, create, update, patch, delete and deletecollection, and
// the pod subresources (eviction, binding, log), with the status codes and bodies the API
// server answers. Watches are streamed by watch.ts.
import { parse as parseYaml } from "yaml";
import { evict } from "./eviction.js";
import { clone, isObject, type Json, type KObject, type Pod, timestamp } from "./objects.js";
import { jsonMergePatch, jsonPatch, serverSideApply, strategicMerge } from "./patch.js";
import { apiVersionOf, POD, type ResourceType } from "./resources.js";
import { checkFieldSelector, parseFieldSelector, parseLabelSelector } from "./selectors.js";
import { badRequest, KubeStatusError, methodNotAllowed, notFound, unsupportedMediaType } from "./status.js";
import type { KubeStorage, ListResult } from "./storage.js";
import { toTable } from "./tables.js";

/** The largest request body accepted (kube-apiserver's limit is 3 MB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export interface ResourceRequest {
  readonly verb: string;
  readonly resource: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
  readonly query: URLSearchParams;
  readonly body?: Buffer;
  readonly contentType: string;
  /** The client asked for a Table (kubectl get). */
  readonly table: boolean;
}

export interface RestResponse {
  readonly code: number;
  readonly body: Json | string;
  readonly contentType?: string;
}

export interface RestContext {
  readonly storage: KubeStorage;
  readonly now: () => Date;
  /** The log text of a pod's container, as its kubelet would serve it. */
  readonly podLogs: (
    pod: Pod,
    container: string,
    options: { tailLines?: number; timestamps: boolean },
  ) => string;
}

function mediaType(contentType: string): string {
  return contentType.split(";")[0]!.trim().toLowerCase();
}

/** Decodes a request body (JSON or YAML) as an object of the expected kind. */
export function decodeBody(req: ResourceRequest, expectKind: string): KObject {
  const type = mediaType(req.contentType);
  const text = (req.body ?? Buffer.alloc(0)).toString("utf8");
  let value: unknown;
  if (type === "application/yaml" || type === "application/apply-patch+yaml") {
    try {
      value = parseYaml(text, { strict: true, uniqueKeys: true });
    } catch (err) {
      throw badRequest(
        `error converting YAML to JSON: yaml: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
      );
    }
  } else if (type === "application/json" || type === "" || type.endsWith("+json")) {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw badRequest(
        `the object provided is unrecognized (must be of type ${expectKind}): couldn't get version/kind; json parse error: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  } else {
    throw unsupportedMediaType(type);
  }
  if (!isObject(value)) {
    throw badRequest(
      `the object provided is unrecognized (must be of type ${expectKind}): couldn't get version/kind; json parse error: expected an object`,
    );
  }
  const o = value as KObject;
  if (o.metadata !== undefined && !isObject(o.metadata)) throw badRequest("metadata: expected an object");
  o.metadata = (o.metadata ?? {}) as KObject["metadata"];
  return o;
}

function checkKind(r: ResourceType, o: KObject): void {
  if (o.kind !== undefined && o.kind !== r.kind) {
    throw badRequest(
      `the kind of the object (${String(o.kind)}) does not match the kind of the endpoint (${r.kind})`,
    );
  }
  if (o.apiVersion !== undefined && o.apiVersion !== apiVersionOf(r)) {
    throw badRequest(
      `the API version in the data (${String(o.apiVersion)}) does not match the expected API version (${apiVersionOf(r)})`,
    );
  }
}

function dryRunOf(q: URLSearchParams): boolean {
  const v = q.getAll("dryRun");
  if (v.some((x) => x !== "All"))
    throw badRequest(`dryRun: Unsupported value: "${v.find((x) => x !== "All")}": supported values: "All"`);
  return v.length > 0;
}

function intParam(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${key}: invalid value ${JSON.stringify(v)}`);
  return Number(v);
}

function listBody(r: ResourceType, result: ListResult): Json {
  return {
    kind: `${r.kind}List`,
    apiVersion: apiVersionOf(r),
    metadata: {
      resourceVersion: result.resourceVersion,
      ...(result.continue ? { continue: result.continue } : {}),
      ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
    },
    items: result.items,
  };
}

function successStatus(r: ResourceType, o: KObject): Json {
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: {
      name: o.metadata.name,
      ...(r.group !== "" ? { group: r.group } : {}),
      kind: r.plural,
      uid: o.metadata.uid,
    },
  };
}

/** Objects deleted at once are answered with a Status; these kinds answer with the object. */
const RETURNS_DELETED = new Set(["Pod", "Namespace", "Service"]);

export async function handleResource(ctx: RestContext, req: ResourceRequest): Promise<RestResponse> {
  const { storage } = ctx;
  const r = req.resource;
  const q = req.query;
  const sub = req.subresource;
  if (sub !== undefined && !(r.subresources ?? []).includes(sub)) throw notFound(r, req.name ?? "");

  if (sub === "eviction") {
    if (req.verb !== "create") throw methodNotAllowed();
    const eviction = decodeBody(req, "Eviction");
    const options = (eviction.deleteOptions ?? {}) as Json;
    await evict(storage, req.namespace ?? "", req.name!, options, ctx.now);
    return {
      code: 201,
      body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 },
    };
  }
  if (sub === "binding") {
    if (req.verb !== "create") throw methodNotAllowed();
    const binding = decodeBody(req, "Binding");
    const target = ((binding.target ?? {}) as Json).name;
    if (typeof target !== "string" || target === "") throw badRequest("target: Required value");
    await bind(storage, req.namespace ?? "", req.name!, target, ctx.now);
    return {
      code: 201,
      body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", code: 201 },
    };
  }
  if (sub === "log") {
    if (req.verb !== "get") throw methodNotAllowed();
    const pod = (await storage.mustGet(POD, req.namespace, req.name!)) as Pod;
    const containers = pod.spec.containers.map((c) => c.name);
    let container = q.get("container") ?? "";
    if (container === "") {
      if (containers.length !== 1) {
        throw badRequest(
          `a container name must be specified for pod ${req.name}, choose one of: [${containers.join(" ")}]`,
        );
      }
      container = containers[0]!;
    }
    if (!containers.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${req.name}`);
    }
    if (
      pod.status?.phase !== "Running" &&
      pod.status?.phase !== "Succeeded" &&
      pod.status?.phase !== "Failed"
    ) {
      throw badRequest(
        `container "${container}" in pod "${req.name}" is waiting to start: ContainerCreating`,
      );
    }
    const tail = intParam(q, "tailLines");
    const text = ctx.podLogs(pod, container, {
      ...(tail !== undefined ? { tailLines: tail } : {}),
      timestamps: q.get("timestamps") === "true",
    });
    return { code: 200, body: text, contentType: "text/plain" };
  }

  switch (req.verb) {
    case "get": {
      const o = await storage.mustGet(r, req.namespace, req.name!);
      if (req.table)
        return {
          code: 200,
          body: toTable(r, [o], {
            now: ctx.now(),
            resourceVersion: o.metadata.resourceVersion,
            includeObject: q.get("includeObject") ?? undefined,
          }),
        };
      return { code: 200, body: o };
    }
    case "list": {
      const fieldSelector = parseFieldSelector(q.get("fieldSelector") ?? undefined);
      checkFieldSelector(r, fieldSelector);
      const limit = intParam(q, "limit");
      const result = await storage.list(r, req.namespace, {
        labelSelector: parseLabelSelector(q.get("labelSelector") ?? undefined),
        fieldSelector,
        ...(limit !== undefined ? { limit } : {}),
        ...(q.get("continue") ? { continue: q.get("continue")! } : {}),
      });
      if (req.table) {
        return {
          code: 200,
          body: toTable(r, result.items, {
            now: ctx.now(),
            resourceVersion: result.resourceVersion,
            ...(result.continue ? { continue: result.continue } : {}),
            includeObject: q.get("includeObject") ?? undefined,
          }),
        };
      }
      return { code: 200, body: listBody(r, result) };
    }
    case "create": {
      const o = decodeBody(req, r.kind);
      checkKind(r, o);
      const created = await storage.create(r, req.namespace, o, dryRunOf(q));
      return { code: 201, body: created };
    }
    case "update": {
      const o = decodeBody(req, r.kind);
      checkKind(r, o);
      const updated = await storage.update(r, req.namespace, req.name!, o, {
        ...(sub !== undefined ? { subresource: sub } : {}),
        dryRun: dryRunOf(q),
      });
      return { code: 200, body: updated };
    }
    case "patch":
      return patch(ctx, req);
    case "delete": {
      const options =
        req.body && req.body.length > 0
          ? (decodeBody({ ...req, contentType: "application/json" }, "DeleteOptions") as Json)
          : {};
      const grace =
        intParam(q, "gracePeriodSeconds") ??
        (typeof options.gracePeriodSeconds === "number" ? options.gracePeriodSeconds : undefined);
      const { object, deleted } = await storage.delete(r, req.namespace, req.name!, {
        ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
        ...(isObject(options.preconditions)
          ? { preconditions: options.preconditions as { uid?: string; resourceVersion?: string } }
          : {}),
        dryRun: dryRunOf(q) || (Array.isArray(options.dryRun) && options.dryRun.length > 0),
      });
      if (deleted && !RETURNS_DELETED.has(r.kind)) return { code: 200, body: successStatus(r, object) };
      return { code: 200, body: object };
    }
    case "deletecollection": {
      const result = await storage.list(r, req.namespace, {
        labelSelector: parseLabelSelector(q.get("labelSelector") ?? undefined),
        fieldSelector: parseFieldSelector(q.get("fieldSelector") ?? undefined),
      });
      const grace = intParam(q, "gracePeriodSeconds");
      const items: KObject[] = [];
      for (const o of result.items) {
        try {
          items.push(
            (
              await storage.delete(
                r,
                o.metadata.namespace,
                o.metadata.name!,
                grace !== undefined ? { gracePeriodSeconds: grace } : {},
              )
            ).object,
          );
        } catch (err) {
          if (!(err instanceof KubeStatusError && err.httpCode === 404)) throw err;
        }
      }
      return { code: 200, body: listBody(r, { ...result, items }) };
    }
    default:
      throw methodNotAllowed();
  }
}

async function patch(ctx: RestContext, req: ResourceRequest): Promise<RestResponse> {
  const { storage } = ctx;
  const r = req.resource;
  const type = mediaType(req.contentType);
  const text = (req.body ?? Buffer.alloc(0)).toString("utf8");
  const dryRun = dryRunOf(req.query);
  const manager = req.query.get("fieldManager") ?? "";
  if (type === "application/apply-patch+yaml") {
    if (manager === "") {
      throw new KubeStatusError(
        422,
        "Invalid",
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    }
    const applied = decodeBody(req, r.kind);
    checkKind(r, applied);
    if (applied.metadata.name !== undefined && applied.metadata.name !== req.name) {
      throw badRequest(
        `the name of the object (${applied.metadata.name}) does not match the name on the URL (${req.name})`,
      );
    }
    const current = await storage.get(r, req.namespace, req.name!);
    const time = timestamp(ctx.now());
    if (!current) {
      const fresh = serverSideApply(
        { metadata: {} },
        applied as Json,
        manager,
        apiVersionOf(r),
        time,
      ) as KObject;
      fresh.metadata.name = req.name;
      const created = await storage.create(r, req.namespace, fresh, dryRun);
      return { code: 201, body: created };
    }
    const next = serverSideApply(
      clone(current) as Json,
      applied as Json,
      manager,
      apiVersionOf(r),
      time,
    ) as KObject;
    const updated = await storage.update(r, req.namespace, req.name!, next, {
      ...(req.subresource !== undefined ? { subresource: req.subresource } : {}),
      dryRun,
    });
    return { code: 200, body: updated };
  }
  let patchBody: unknown;
  try {
    patchBody = JSON.parse(text);
  } catch (err) {
    if (
      type !== "application/json-patch+json" &&
      type !== "application/merge-patch+json" &&
      type !== "application/strategic-merge-patch+json"
    ) {
      throw unsupportedMediaType(type);
    }
    throw badRequest(`error decoding patch: ${err instanceof Error ? err.message : String(err)}`);
  }
  const compute = (current: KObject): KObject => {
    let next: unknown;
    switch (type) {
      case "application/json-patch+json":
        next = jsonPatch(current as Json, patchBody);
        break;
      case "application/merge-patch+json":
        if (!isObject(patchBody)) throw badRequest("error decoding patch: expected a JSON object");
        next = jsonMergePatch(current, patchBody);
        break;
      case "application/strategic-merge-patch+json":
        if (!isObject(patchBody)) throw badRequest("error decoding patch: expected a JSON object");
        next = strategicMerge(current as Json, patchBody);
        break;
      default:
        throw unsupportedMediaType(type);
    }
    if (!isObject(next) || !isObject((next as Json).metadata))
      throw badRequest("the patch removed the object's metadata");
    return next as KObject;
  };
  // A patch that names the resourceVersion it was made against must apply to exactly that one.
  const pinned =
    isObject(patchBody) &&
    isObject(patchBody.metadata) &&
    typeof patchBody.metadata.resourceVersion === "string";
  for (let attempt = 0; ; attempt++) {
    const current = await storage.mustGet(r, req.namespace, req.name!);
    const next = compute(clone(current));
    if (!pinned) next.metadata.resourceVersion = current.metadata.resourceVersion;
    try {
      const updated = await storage.update(r, req.namespace, req.name!, next, {
        ...(req.subresource !== undefined ? { subresource: req.subresource } : {}),
        dryRun,
      });
      return { code: 200, body: updated };
    } catch (err) {
      if (pinned || attempt >= 8 || !(err instanceof KubeStatusError && err.reason === "Conflict")) throw err;
    }
  }
}

/** The binding subresource: the scheduler's (or a client's) choice of node for a pending pod. */
export async function bind(
  storage: KubeStorage,
  namespace: string,
  name: string,
  node: string,
  now: () => Date,
): Promise<void> {
  let already = "";
  await storage.modify(POD, namespace, name, (o) => {
    const pod = o as Pod;
    if (pod.spec.nodeName) {
      already = pod.spec.nodeName;
      return undefined;
    }
    pod.spec.nodeName = node;
    return pod;
  });
  if (already !== "") {
    throw new KubeStatusError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${already}"`,
    );
  }
  await storage.modify(
    POD,
    namespace,
    name,
    (o) => {
      const pod = o as Pod;
      const conditions = (pod.status?.conditions ?? []).filter((c) => c.type !== "PodScheduled");
      conditions.push({
        type: "PodScheduled",
        status: "True",
        lastProbeTime: null,
        lastTransitionTime: timestamp(now()),
      });
      pod.status = { ...(pod.status ?? {}), conditions };
      return pod;
    },
    { subresource: "status" },
  );
}
