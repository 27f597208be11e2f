// machined's environment and the machine's unique token, as Talos's runtime controllers publish
// them (siderolabs/talos: internal/app/machined/pkg/controllers/runtime/environment.go and
// unique_token.go).
import {
  EnvironmentSpecSchema,
  UniqueMachineTokenSpecSchema,
} from "../../../gen/resource/definitions/runtime/runtime_pb.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import { configEnvironment, sideroLinkUniqueToken } from "./config-facts.js";
import { INPUT, type MachineSource } from "./source.js";

export const ENVIRONMENT = messageKind("Environments.runtime.talos.dev", EnvironmentSpecSchema);
export const UNIQUE_MACHINE_TOKEN = messageKind(
  "UniqueMachineTokens.runtime.talos.dev",
  UniqueMachineTokenSpecSchema,
);

/** Where Talos looks for executables (its PATH constant: pkg/machinery/constants). */
export const TALOS_PATH = "/usr/bin:/usr/local/sbin:/usr/local/bin:/opt/cni/bin";
/** The META tag of the unique machine token. */
export const UNIQUE_TOKEN_TAG = 0x10;

/**
 * machined's environment, sorted: what the kernel hands to init (HOME, TERM), the PATH machined
 * sets at boot and the variables of the config, which machined sets on itself.
 */
export function machinedEnvironment(env: ReadonlyMap<string, string>): string[] {
  const vars = new Map<string, string>([
    ["HOME", "/"],
    ["TERM", "linux"],
    ["PATH", TALOS_PATH],
  ]);
  for (const [k, v] of env) vars.set(k, v);
  return [...vars].map(([k, v]) => `${k}=${v}`).sort();
}

const environment: Controller<MachineSource> = {
  name: "runtime.EnvironmentController",
  inputs: [INPUT.config],
  run({ source, put }) {
    put(
      ENVIRONMENT,
      NS.runtime,
      "machined",
      spec(EnvironmentSpecSchema, { variables: machinedEnvironment(configEnvironment(source.active())) }),
    );
  },
};

/**
 * The unique machine token once META is loaded: META's value when set, else the SideroLinkConfig
 * document's, else empty.
 */
const uniqueMachineToken: Controller<MachineSource> = {
  name: "runtime.UniqueMachineTokenController",
  inputs: [INPUT.meta, INPUT.config],
  run({ source, put }) {
    const token = source.meta().get(UNIQUE_TOKEN_TAG) ?? sideroLinkUniqueToken(source.active());
    put(
      UNIQUE_MACHINE_TOKEN,
      NS.runtime,
      "unique-machine-token",
      spec(UniqueMachineTokenSpecSchema, { token }),
    );
  },
};

export const RUNTIME_ENV_CONTROLLERS: readonly Controller<MachineSource>[] = [
  environment,
  uniqueMachineToken,
];
