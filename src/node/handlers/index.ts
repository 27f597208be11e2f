// Every method the node serves itself; the rest of the contract answers UNIMPLEMENTED.
import type { Handler } from "../api/server.js";
import { applyHandlers } from "./apply.js";
import { clientConfigHandlers } from "./client-config.js";
import { clusterHandlers } from "./cluster.js";
import { cosiHandlers } from "./cosi.js";
import type { NodeRuntime } from "./define.js";
import { etcdHandlers } from "./etcd.js";
import { eventsHandlers } from "./events.js";
import { fileHandlers } from "./files.js";
import { imageHandlers } from "./images.js";
import { infoHandlers } from "./info.js";
import { inspectHandlers } from "./inspect.js";
import { lifecycleHandlers } from "./lifecycle.js";
import { logsHandlers } from "./logs.js";
import { metaHandlers } from "./meta.js";
import { restartHandlers } from "./restart.js";
import { serviceControlHandlers } from "./service-control.js";
import { statsHandlers } from "./stats.js";
import { storageHandlers } from "./storage.js";
import { systemHandlers } from "./system.js";
import { upgradeHandlers } from "./upgrade.js";

export type { HandlerEntry, NodeRuntime } from "./define.js";

export function nodeHandlers(rt: NodeRuntime): Map<string, Handler> {
  return new Map([
    ...applyHandlers(rt),
    ...infoHandlers(rt),
    ...eventsHandlers(rt),
    ...logsHandlers(rt),
    ...serviceControlHandlers(rt),
    ...systemHandlers(rt),
    ...fileHandlers(rt),
    ...cosiHandlers(rt),
    ...clientConfigHandlers(rt),
    ...clusterHandlers(rt),
    ...etcdHandlers(rt),
    ...lifecycleHandlers(rt),
    ...imageHandlers(rt),
    ...upgradeHandlers(rt),
    ...storageHandlers(rt),
    ...inspectHandlers(rt),
    ...statsHandlers(rt),
    ...metaHandlers(rt),
    ...restartHandlers(rt),
  ]);
}
