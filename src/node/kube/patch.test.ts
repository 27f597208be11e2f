import { describe, expect, it } from "vitest";
import { jsonMergePatch, jsonPatch, serverSideApply, strategicMerge } from "./patch.js";
import { KubeStatusError } from "./status.js";

const pod = {
  metadata: { name: "p", labels: { a: "1" } },
  spec: {
    containers: [
      { name: "app", image: "app:1", env: [{ name: "X", value: "1" }], ports: [{ containerPort: 80 }] },
      { name: "side", image: "side:1" },
    ],
    tolerations: [{ key: "t", operator: "Exists" }],
  },
};

describe("strategic merge patch", () => {
  it("merges keyed lists by their key and replaces the others", () => {
    const out = strategicMerge(pod, {
      spec: {
        containers: [{ name: "app", image: "app:2", env: [{ name: "Y", value: "2" }] }],
        tolerations: [{ key: "u", operator: "Exists" }],
      },
    }) as typeof pod;
    expect(out.spec.containers.map((c) => [c.name, c.image])).toEqual([
      ["app", "app:2"],
      ["side", "side:1"],
    ]);
    expect(out.spec.containers[0]!.env).toEqual([
      { name: "X", value: "1" },
      { name: "Y", value: "2" },
    ]);
    expect(out.spec.tolerations).toEqual([{ key: "u", operator: "Exists" }]);
  });

  it("honours $patch delete, $setElementOrder, $retainKeys and null", () => {
    const out = strategicMerge(pod, {
      metadata: { labels: { a: null, b: "2" } },
      spec: {
        $setElementOrder: undefined,
        "$setElementOrder/containers": [{ name: "side" }, { name: "app" }],
        containers: [
          { name: "app", $patch: "delete" },
          { name: "side", image: "side:2" },
        ],
      },
    } as never) as typeof pod;
    expect(out.metadata.labels).toEqual({ b: "2" });
    expect(out.spec.containers).toEqual([{ name: "side", image: "side:2" }]);
    const retained = strategicMerge(
      { spec: { strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } } } },
      {
        spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } },
      },
    );
    expect(retained).toEqual({ spec: { strategy: { type: "Recreate" } } });
  });
});

describe("JSON merge and JSON patch", () => {
  it("merge patch replaces lists and deletes with null", () => {
    expect(
      jsonMergePatch(pod, { spec: { containers: [{ name: "only" }] }, metadata: { labels: null } }),
    ).toEqual({
      metadata: { name: "p" },
      spec: { containers: [{ name: "only" }], tolerations: pod.spec.tolerations },
    });
  });

  it("JSON patch applies operations and refuses a failing test with 422", () => {
    expect(jsonPatch({ a: [1] }, [{ op: "add", path: "/a/-", value: 2 }])).toEqual({ a: [1, 2] });
    expect(() => jsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }])).toThrow(KubeStatusError);
  });
});

describe("server-side apply", () => {
  it("drops what a manager applied before and no longer applies, and records its fields", () => {
    const first = serverSideApply(
      { metadata: { name: "c" } },
      { metadata: { labels: { x: "1", y: "2" } }, data: { a: "1" } },
      "kubectl",
      "v1",
      "t",
    );
    expect(first).toMatchObject({ metadata: { labels: { x: "1", y: "2" } }, data: { a: "1" } });
    const withOther = { ...first, data: { ...(first.data as object), other: "kept" } };
    const second = serverSideApply(
      withOther,
      { metadata: { labels: { x: "1" } }, data: { a: "2" } },
      "kubectl",
      "v1",
      "t",
    );
    expect((second.metadata as { labels: object }).labels).toEqual({ x: "1" });
    expect(second.data).toEqual({ a: "2", other: "kept" });
    const managed = (second.metadata as { managedFields: { manager: string; fieldsV1: object }[] })
      .managedFields;
    expect(managed).toHaveLength(1);
    expect(managed[0]).toMatchObject({
      manager: "kubectl",
      fieldsV1: { "f:data": { "f:a": {} }, "f:metadata": { "f:labels": { "f:x": {} } } },
    });
  });
});
