import { expect, test } from "vitest";
import { formatUrlParts, mergeUrl, parseUrlParts } from "./url.js";

test("URLs round-trip through their parts", () => {
  for (const u of [
    "https://10.0.0.1:6443/",
    "https://user:pw@host/p/a?x=1#f",
    "grpc://siderolink.api/?jointoken=a",
    "tcp://[fd00::1]:514",
  ]) {
    expect(formatUrlParts(parseUrlParts(u))).toBe(u);
  }
});

test("the patch's empty components keep the config's", () => {
  expect(mergeUrl("https://127.0.0.1:6643/", "https://10.0.0.1")).toBe("https://10.0.0.1/");
  expect(mergeUrl("https://a.example.com/v1?x=1", "https://b.example.com:8443")).toBe(
    "https://b.example.com:8443/v1?x=1",
  );
  expect(mergeUrl("https://a.example.com/v1", "https://b.example.com/v2")).toBe("https://b.example.com/v2");
  expect(mergeUrl("https://a.example.com/", "")).toBe("https://a.example.com/");
  expect(mergeUrl(undefined, "https://b/")).toBe("https://b/");
});
