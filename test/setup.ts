// Runs in every test file before its own hooks: since "after" hooks run in reverse order of
// registration, this afterAll runs last, once the file's own afterAll stopped its nodes.
import { afterAll } from "vitest";
import { releaseTestResources } from "./helpers/cleanup.js";

afterAll(releaseTestResources);
