// talosctl's dashboard: a full-screen live view of the nodes (or plain text frames where the
// terminal cannot do more), and a one-shot text snapshot of the Summary screen.
export { Dashboard, type DashboardOptions, SCREENS, type ScreenName, sortNodes } from "./app.js";
export { type SnapshotOptions, snapshot, summaryText } from "./once.js";
