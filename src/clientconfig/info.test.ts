import { describe, expect, it } from "vitest";
import { describeContext, formatCertTtl, formatRelativeTime, renderContextInfo } from "./info.js";
import type { ResolvedContext } from "./resolve.js";

// A self-signed Ed25519 certificate made for these tests with openssl: subject O=os:reader,
// O=os:admin; valid 2026-11-22T03:09:08Z to 2027-11-22T03:09:08Z (8760 hours).
const CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBYzCCARWgAwIBAgIUL987CuB4cexNI8FlmtjD+AkXP78wBQYDK2VwMCcxEjAQ
BgNVBAoMCW9zOnJlYWRlcjERMA8GA1UECgwIb3M6YWRtaW4wHhcNMjYxMTIyMDMw
OTA4WhcNMjcxMTIyMDMwOTA4WjAnMRIwEAYDVQQKDAlvczpyZWFkZXIxETAPBgNV
BAoMCG9zOmFkbWluMCowBQYDK2VwAyEAKHNFe60r6KrD2eVC/GJAUkjklVrdjEtU
cCs8MTKcSbqjUzBRMB0GA1UdDgQWBBQLVdTknBkncW1j3+4btqX/hp2ArzAfBgNV
HSMEGDAWgBQLVdTknBkncW1j3+4btqX/hp2ArzAPBgNVHRMBAf8EBTADAQH/MAUG
AytlcANBAKAgpOqI0uInJl8thWF4WGHa3lgrXcrvmGf8XmrEJ4Jg8gHZHzFgiJoH
8vf92rjKM+XJU9bZzckflJq7LJltRQI=
-----END CERTIFICATE-----
`;
const crt = Buffer.from(CERT_PEM).toString("base64");
const NOW = new Date("2026-11-22T03:09:08Z");
const H = 3600_000;
const D = 24 * H;

function ctx(extra: Partial<ResolvedContext> = {}): ResolvedContext {
  return { name: "prod", endpoints: ["10.0.0.10"], nodes: ["10.0.0.20", "10.0.0.21"], ...extra };
}

describe("describeContext", () => {
  it("reads roles and expiry from the client certificate", () => {
    const info = describeContext(ctx({ crt }), NOW);
    expect(info).toEqual({
      context: "prod",
      nodes: ["10.0.0.20", "10.0.0.21"],
      endpoints: ["10.0.0.10"],
      roles: ["os:admin", "os:reader"],
      certTTL: "8760h0m0s",
      certNotAfter: "2027-11-22T03:09:08Z",
    });
    expect(renderContextInfo(info, NOW)).toBe(
      [
        "Current context:     prod",
        "Nodes:               10.0.0.20, 10.0.0.21",
        "Endpoints:           10.0.0.10",
        "Roles:               os:admin, os:reader",
        "Certificate expires: 1 year from now (2027-11-22)",
        "",
      ].join("\n"),
    );
    const later = new Date(NOW.getTime() + 10 * D);
    expect(renderContextInfo(describeContext(ctx({ crt }), later), later)).toContain(
      "Certificate expires: 11 months from now (2027-11-22)",
    );
  });

  it("leaves out the certificate lines and prints 'not defined' for empty lists", () => {
    const info = describeContext(ctx({ endpoints: [], nodes: [] }), NOW);
    expect(info).toMatchObject({ roles: [], certTTL: "", certNotAfter: "" });
    expect(renderContextInfo(info, NOW)).toBe(
      "Current context:     prod\nNodes:               not defined\nEndpoints:           not defined\n",
    );
  });

  it("names the context and field of a broken certificate", () => {
    expect(() => describeContext(ctx({ crt: "%%%" }), NOW)).toThrow(
      'context "prod": the client certificate (crt) is not valid base64',
    );
    expect(() => describeContext(ctx({ crt: Buffer.from("hello").toString("base64") }), NOW)).toThrow(
      'context "prod": the client certificate (crt) does not hold PEM data',
    );
    const broken = Buffer.from("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").toString(
      "base64",
    );
    expect(() => describeContext(ctx({ crt: broken }), NOW)).toThrow(
      /^context "prod": the client certificate \(crt\) cannot be parsed: /,
    );
  });
});

describe("formatRelativeTime", () => {
  it.each([
    [0, "now"],
    [1500, "1 second from now"],
    [-45_000, "45 seconds ago"],
    [90_000, "1 minute from now"],
    [30 * 60_000, "30 minutes from now"],
    [5 * H, "5 hours from now"],
    [36 * H, "1 day from now"],
    [-3 * D, "3 days ago"],
    [10 * D, "1 week from now"],
    [20 * D, "2 weeks from now"],
    [45 * D, "1 month from now"],
    [359 * D, "11 months from now"],
    [365 * D, "1 year from now"],
    [600 * D, "2 years from now"],
    [3650 * D, "10 years from now"],
    [40 * 365 * D, "a long while from now"],
  ])("%d ms is %s", (delta, want) => {
    expect(formatRelativeTime(new Date(NOW.getTime() + delta), NOW)).toBe(want);
  });
});

describe("formatCertTtl", () => {
  it.each([
    [0, "0s"],
    [999, "0s"],
    [59_000, "59s"],
    [303_000, "5m3s"],
    [H, "1h0m0s"],
    [8760 * H - 60_000, "8759h59m0s"],
    [-H, "-1h0m0s"],
  ])("%d ms is %s", (ms, want) => {
    expect(formatCertTtl(ms)).toBe(want);
  });
});
