// Bundle entry of the config worker thread (dist/talos-node-config-worker.cjs): answers the
// node's config checks one at a time, in order.
import { parentPort } from "node:worker_threads";
import { answer, type WorkerRequest } from "./machine/config-worker.js";

parentPort?.on("message", (message: WorkerRequest) => {
  parentPort?.postMessage(answer(message));
});
