// Every method the node serves itself; the rest of the contract answers UNIMPLEMENTED.
import type { Handler } from "../api/server.js";
import { applyHandlers } from "./apply.js";
import { clientConfigHandlers } from "./client-config.js";
import { cosiHandlers } from "./cosi.js";
import type { NodeRuntime } from "./define.js";
import { eventsHandlers } from "./events.js";
import { infoHandlers } from "./info.js";

export type { HandlerEntry, NodeRuntime } from "./define.js";

export function nodeHandlers(rt: NodeRuntime): Map<string, Handler> {
  return new Map([
    ...applyHandlers(rt),
    ...infoHandlers(rt),
    ...eventsHandlers(rt),
    ...cosiHandlers(rt),
    ...clientConfigHandlers(rt),
  ]);
}
