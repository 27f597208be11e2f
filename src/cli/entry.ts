// Bundle entry of talosctl; bin/talosctl loads the bundle and calls main().
export { main } from "./main.js";
