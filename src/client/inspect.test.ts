import { describe, expect, it } from "vitest";
import { DependencyEdgeType as T } from "../gen/inspect/inspect_pb.js";
import { type GraphEdge, renderDependencies, renderDependenciesWithResources } from "./inspect.js";

const edge = (controller: string, edgeType: T, type: string, namespace = "", id = ""): GraphEdge => ({
  controller,
  edgeType,
  namespace,
  type,
  id,
});

const EDGES: GraphEdge[] = [
  edge("block.DisksController", T.OUTPUT_EXCLUSIVE, "Disks.block.talos.dev"),
  edge("block.DisksController", T.INPUT_WEAK, "BlockDevices.block.talos.dev", "runtime"),
  edge("cfg.X", T.INPUT_STRONG, "MachineConfigs.config.talos.dev", "config", "v1alpha1"),
  edge("cfg.X", T.INPUT_DESTROY_READY, "T.y", "runtime"),
  edge("net.Y", T.OUTPUT_SHARED, "Disks.block.talos.dev"),
];

describe("the dependency graph as DOT", () => {
  it("numbers nodes as they are made and writes them and their edges sorted by id, as emicklei/dot", () => {
    expect(renderDependencies(EDGES)).toBe(
      [
        "digraph  {",
        "\t",
        '\tn3[fillcolor="azure2",label="BlockDevices.block.talos.dev",shape="note",style="filled"];',
        '\tn2[fillcolor="azure2",label="Disks.block.talos.dev",shape="note",style="filled"];',
        '\tn5[fillcolor="azure2",label="MachineConfigs.config.talos.dev",shape="note",style="filled"];',
        '\tn6[fillcolor="azure2",label="T.y",shape="note",style="filled"];',
        '\tn1[label="block.DisksController",shape="box"];',
        '\tn4[label="cfg.X",shape="box"];',
        '\tn7[label="net.Y",shape="box"];',
        '\tn3->n1[style="dotted"];',
        '\tn5->n4[label="v1alpha1",style="solid"];',
        '\tn1->n2[style="bold"];',
        '\tn7->n2[style="solid"];',
        "\t",
        "}",
        "",
      ].join("\n"),
    );
  });

  it("writes an empty graph as dot does", () => {
    expect(renderDependencies([])).toBe("digraph  {\n\t\n\t\n}\n");
  });

  it("clusters live resources by type and links only the owner's outputs and the inputs' IDs", () => {
    const resources = new Map([
      [
        "Disks.block.talos.dev",
        [
          { namespace: "runtime", type: "Disks.block.talos.dev", id: "sda", owner: "block.DisksController" },
          { namespace: "runtime", type: "Disks.block.talos.dev", id: "sdb", owner: "net.Y" },
        ],
      ],
      [
        "MachineConfigs.config.talos.dev",
        [
          { namespace: "config", type: "MachineConfigs.config.talos.dev", id: "v1alpha1", owner: "" },
          { namespace: "config", type: "MachineConfigs.config.talos.dev", id: "persistent", owner: "" },
        ],
      ],
    ]);
    expect(renderDependenciesWithResources(EDGES, resources)).toBe(
      [
        "digraph  {",
        "\tsubgraph cluster_s4 {",
        '\t\tlabel="Disks.block.talos.dev";',
        '\t\tn5[fillcolor="azure2",label="runtime/Disks.block.talos.dev/sda",shape="note",style="filled"];',
        '\t\tn6[fillcolor="azure2",label="runtime/Disks.block.talos.dev/sdb",shape="note",style="filled"];',
        "\t\t",
        "\t}",
        "\tsubgraph cluster_s7 {",
        '\t\tlabel="MachineConfigs.config.talos.dev";',
        '\t\tn9[fillcolor="azure2",label="config/MachineConfigs.config.talos.dev/persistent",shape="note",style="filled"];',
        '\t\tn8[fillcolor="azure2",label="config/MachineConfigs.config.talos.dev/v1alpha1",shape="note",style="filled"];',
        "\t\t",
        "\t}",
        "\t",
        '\tn1[label="block.DisksController",shape="box"];',
        '\tn2[label="cfg.X",shape="box"];',
        '\tn3[label="net.Y",shape="box"];',
        '\tn1->n5[style="solid"];',
        '\tn8->n2[style="solid"];',
        '\tn3->n6[style="solid"];',
        "\t",
        "}",
        "",
      ].join("\n"),
    );
  });
});
