// Bundle entry of talos-node; bin/talos-node loads the bundle and calls main().
export { main } from "./main.js";
