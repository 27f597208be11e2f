// Failures as the Kubernetes API reports them: a `Status` object with the HTTP code, a reason
// clients switch on and the message kubectl prints, in the words of k8s.io/apimachinery's
// pkg/api/errors.
import { TalosError } from "../../errors.js";
import type { Json } from "./objects.js";
import { qualifiedName, type ResourceType } from "./resources.js";

export interface StatusCause {
  readonly reason?: string;
  readonly message?: string;
  readonly field?: string;
}

export class KubeStatusError extends TalosError {
  override readonly name = "KubeStatusError";
  constructor(
    readonly httpCode: number,
    readonly reason: string,
    message: string,
    readonly details?: {
      name?: string;
      group?: string;
      kind?: string;
      causes?: StatusCause[];
      retryAfterSeconds?: number;
    },
  ) {
    super("failed-precondition", message);
  }

  /** The `Status` body. */
  toStatus(): Json {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.httpCode,
    };
  }
}

function detailsOf(r: ResourceType, name: string): { name: string; group?: string; kind: string } {
  return { name, ...(r.group !== "" ? { group: r.group } : {}), kind: r.plural };
}

export function notFound(r: ResourceType, name: string): KubeStatusError {
  return new KubeStatusError(404, "NotFound", `${qualifiedName(r)} "${name}" not found`, detailsOf(r, name));
}

export function alreadyExists(r: ResourceType, name: string): KubeStatusError {
  return new KubeStatusError(
    409,
    "AlreadyExists",
    `${qualifiedName(r)} "${name}" already exists`,
    detailsOf(r, name),
  );
}

export function conflict(r: ResourceType, name: string, why: string): KubeStatusError {
  return new KubeStatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedName(r)} "${name}": ${why}`,
    detailsOf(r, name),
  );
}

export const MODIFIED =
  "the object has been modified; please apply your changes to the latest version and try again";

export function invalid(r: ResourceType, name: string, causes: StatusCause[]): KubeStatusError {
  const list = causes.map((c) => `${c.field}: ${c.message}`);
  const text = list.length === 1 ? list[0] : `[${list.join(", ")}]`;
  return new KubeStatusError(422, "Invalid", `${r.kind} "${name}" is invalid: ${text}`, {
    name,
    ...(r.group !== "" ? { group: r.group } : {}),
    kind: r.kind,
    causes: causes.map((c) => ({
      reason: c.reason ?? "FieldValueInvalid",
      message: c.message,
      field: c.field,
    })),
  });
}

export function badRequest(message: string): KubeStatusError {
  return new KubeStatusError(400, "BadRequest", message);
}

export function methodNotAllowed(): KubeStatusError {
  return new KubeStatusError(
    405,
    "MethodNotAllowed",
    "the server does not allow this method on the requested resource",
  );
}

export function notFoundPath(): KubeStatusError {
  return new KubeStatusError(404, "NotFound", "the server could not find the requested resource", {});
}

export function unauthorized(): KubeStatusError {
  return new KubeStatusError(401, "Unauthorized", "Unauthorized");
}

export function gone(message: string): KubeStatusError {
  return new KubeStatusError(410, "Expired", message);
}

export function tooManyRequests(message: string, causes: StatusCause[]): KubeStatusError {
  return new KubeStatusError(429, "TooManyRequests", message, { causes });
}

export function unsupportedMediaType(type: string): KubeStatusError {
  return new KubeStatusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml${type.includes("patch") ? ", application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json" : ""}`,
  );
}
