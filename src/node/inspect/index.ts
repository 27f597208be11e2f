// The node's controller registry and dependency graph (InspectService).
export {
  type ControllerDependencies,
  type ControllerInput,
  type ControllerOutput,
  ControllerRegistry,
  type DependencyEdge,
  dependencyEdges,
  type EdgeType,
  type InputKind,
  NODE_CONTROLLERS,
  type OutputKind,
  runningControllers,
  talosControllerDependencies,
} from "./registry.js";
