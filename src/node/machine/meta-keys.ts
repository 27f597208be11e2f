// MetaKeys.runtime.talos.dev: one resource per META tag (`0x0a`), kept equal to what the META
// partition holds. Talos writes them as the partition is loaded and on every MetaWrite and
// MetaDelete, with no owner.
import { create, toBinary } from "@bufbuild/protobuf";
import { MetaKeySpecSchema } from "../../gen/resource/definitions/runtime/runtime_pb.js";
import { type Meta, metaTags } from "../state/index.js";
import { defineResource, type ResourceKind, type ResourceStore } from "./resources/index.js";
import { NS } from "./resources/kinds.js";

export const metaKeyKind: ResourceKind<{ value: string }> = {
  definition: defineResource({
    type: "MetaKeys.runtime.talos.dev",
    defaultNamespace: NS.runtime,
    aliases: ["meta"],
    printColumns: [{ name: "Value", jsonPath: "{.value}" }],
  }),
  encode: (s) => toBinary(MetaKeySpecSchema, create(MetaKeySpecSchema, { value: s.value })),
  view: (s) => ({ value: s.value }),
};

/** META tags by number, as Talos names its keys (`0x0a`). */
export function metaKeyId(tag: number): string {
  return `0x${tag.toString(16).padStart(2, "0")}`;
}

/** Makes the MetaKeys resources match the META partition. */
export function syncMetaKeys(store: ResourceStore, meta: Meta): void {
  const type = metaKeyKind.definition.type;
  const tags = metaTags(meta.read());
  const wanted = new Set<string>();
  for (const [tag, value] of tags) {
    const id = metaKeyId(tag);
    wanted.add(id);
    store.set(metaKeyKind, NS.runtime, id, { value });
  }
  for (const r of store.list(NS.runtime, type)) if (!wanted.has(r.id)) store.remove(NS.runtime, type, r.id);
}

/** Registers the type and keeps the resources in step with `meta` until the returned detach. */
export function publishMetaKeys(store: ResourceStore, meta: Meta): () => void {
  store.registerKind(metaKeyKind);
  syncMetaKeys(store, meta);
  return meta.onChange(() => syncMetaKeys(store, meta));
}
