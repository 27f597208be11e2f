// The State service's write verbs as a Talos node answers them: COSI's protobuf server
// (cosi-project/runtime: pkg/state/protobuf/server) first turns the request into a resource,
// then hands it to machined's state behind Talos's access filter (siderolabs/talos:
// internal/app/resources/access.go), which refuses every write. So a malformed resource is
// reported as COSI reports it (gRPC code Unknown), a well-formed one is refused with
// PermissionDenied. Teardown has no filtered implementation: COSI runs it as a Get (a read,
// checked like any read, NotFound when the resource is missing) followed by an Update that the
// filter refuses, unless the resource is already tearing down.
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import type { Resource as WireResource } from "../../gen/cosi/resource/resource_pb.js";
import {
  State,
  TeardownAndDestroyResponseSchema,
  TeardownResponseSchema,
} from "../../gen/cosi/resource/state_pb.js";
import type { Caller } from "../api/index.js";
import { StatusError } from "../errors.js";
import type { Resource, ResourceStore } from "../resources/index.js";
import { type HandlerEntry, notFound, unary } from "./define.js";

export const WRITE_NOT_ALLOWED = "write access is not allowed";

function refuseWrite(): never {
  throw new StatusError(grpc.status.PERMISSION_DENIED, WRITE_NOT_ALLOWED);
}

/** An error COSI's server returns as is (gRPC code Unknown). */
function cosiError(message: string): StatusError {
  return new StatusError(grpc.status.UNKNOWN, message);
}

/** strconv.ParseInt's complaint about a version text, as COSI wraps it. */
function parseVersion(text: string): void {
  if (text === "undefined") return;
  if (!/^[+-]?\d+$/.test(text)) {
    throw cosiError(
      `error parsing version: strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`,
    );
  }
  const n = BigInt(text);
  if (n > 9223372036854775807n || n < -9223372036854775808n) {
    throw cosiError(
      `error parsing version: strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`,
    );
  }
}

function parsePhase(text: string): void {
  if (text !== "running" && text !== "tearingDown") throw cosiError(`unknown phase: ${text}`);
}

/** What COSI checks while turning a wire resource into a resource (protobuf.Unmarshal). */
function unmarshal(resource: WireResource | undefined): void {
  if (!resource?.metadata) throw cosiError("metadata is missing");
  if (!resource.spec) throw cosiError("spec is missing");
  parseVersion(resource.metadata.version);
  parsePhase(resource.metadata.phase);
}

/** A read check (type registered, sensitivity, namespace) and the resource, as COSI's Get. */
type ReadCheck = (caller: Caller, namespace: string, type: string) => ResourceStore;

function existing(store: ResourceStore, namespace: string, type: string, id: string): Resource {
  const r = store.get(namespace, type, id);
  if (!r) throw notFound(`resource ${type}(${namespace}/${id}@undefined) doesn't exist`);
  return r;
}

export function cosiWriteHandlers(read: ReadCheck): HandlerEntry[] {
  return [
    unary(State.method.create, async (req) => {
      unmarshal(req.resource);
      return refuseWrite();
    }),
    unary(State.method.update, async (req) => {
      unmarshal(req.newResource);
      if (req.options?.expectedPhase !== undefined) parsePhase(req.options.expectedPhase);
      return refuseWrite();
    }),
    unary(State.method.destroy, async () => refuseWrite()),
    unary(State.method.teardown, async (req, caller) => {
      const r = existing(read(caller, req.namespace, req.type), req.namespace, req.type, req.id);
      if (r.phase !== "tearingDown") refuseWrite();
      return create(TeardownResponseSchema, { destroyReady: r.finalizers.length === 0 });
    }),
    unary(State.method.teardownAndDestroy, async (req, caller) => {
      existing(read(caller, req.namespace, req.type), req.namespace, req.type, req.id);
      // Torn down already or not, the last step is a Destroy, which the filter refuses.
      refuseWrite();
      return create(TeardownAndDestroyResponseSchema, {});
    }),
  ];
}
