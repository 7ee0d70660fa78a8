/**
 * The corpus specs' OAuth surface (generator/model/surface.ts, issue 12): which get an authorization endpoint, with
 * how many scopes typed, and the other endpoints their `paths` clearly document. Load and model only (no generation),
 * so this runs in seconds; the README's corpus table says the same, and is held to it here.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { modelOf } from "./harness.js";

interface Row {
  readonly file: string;
  /** The provider as the README's corpus table names it. */
  readonly provider: string;
  /** The authorization endpoint and the number of scopes it types; undefined: none documented. */
  readonly authorization?: { readonly url: string; readonly relative: boolean; readonly scopes: number; readonly openid: boolean };
  /** The other endpoints of the surface, by key. */
  readonly others?: readonly string[];
}

// given a corpus spec -> want its surface
const GENERATED: readonly Row[] = [
  { file: "amadeus-authorization.json", provider: "Amadeus" },
  {
    file: "autodesk-aps-authentication.yaml",
    provider: "Autodesk APS",
    authorization: { url: "/authentication/v2/authorize", relative: true, scopes: 3, openid: false },
    others: ["revocation", "introspection"],
  },
  { file: "aws-sso-oidc.yaml", provider: "AWS SSO OIDC" },
  { file: "azure-containerregistry.json", provider: "Azure Container Registry" },
  { file: "box-platform.json", provider: "Box", authorization: { url: "https://account.box.com/api/oauth2/authorize", relative: false, scopes: 9, openid: false }, others: ["revocation"] },
  { file: "discord-api.json", provider: "Discord", authorization: { url: "/api/oauth2/authorize", relative: true, scopes: 33, openid: true } },
  { file: "hubspot-oauth-v1.yaml", provider: "HubSpot" },
  { file: "lyft-api.yaml", provider: "Lyft", authorization: { url: "/oauth/authorize", relative: true, scopes: 4, openid: false } },
  { file: "paypal-catalog-products.json", provider: "PayPal" },
  { file: "personio-auth.yaml", provider: "Personio" },
  { file: "slack-web-api.json", provider: "Slack", authorization: { url: "https://slack.com/oauth/authorize", relative: false, scopes: 67, openid: false } },
  { file: "twilio-oauth-v1.yaml", provider: "Twilio" },
  { file: "vipps-accesstoken.yaml", provider: "Vipps MobilePay" },
  { file: "xero-identity.yaml", provider: "Xero", authorization: { url: "https://login.xero.com/identity/connect/authorize", relative: false, scopes: 3, openid: true } },
];

describe("corpus: the OAuth surface", () => {
  it.each(GENERATED)("$file", async ({ file, authorization, others = [] }) => {
    const model = await modelOf(file);
    const got = model.surface?.authorization;
    expect(got === undefined ? undefined : { url: got.url, relative: got.relative, scopes: got.scopes.length, openid: got.openid }).toEqual(authorization);
    if (got !== undefined) {
      // Every spec scope of the authorizationCode flow is typed, none invented, and PKCE S256 is the default.
      expect(got.pkce).toBe("S256");
      expect(got.scopes.every((scope) => scope.name !== "")).toBe(true);
      expect(model.facts.some((fact) => fact.topic === "oauth surface" && fact.evidence === got.pointer)).toBe(true);
    }
    expect(Object.keys(model.surface ?? {}).filter((key) => key !== "authorization")).toEqual(others);
  });

  it("the README's corpus table says which flow methods each provider has, and how many scopes authorizationUrl types", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const column = new Map<string, string>();
    for (const line of readme.split("\n")) {
      const cells = line.split(" | ");
      if (cells.length >= 4 && cells[1] === "generated") column.set(cells[0]!.replace(/^\| /, ""), cells[2]!);
    }
    const METHODS: Readonly<Record<string, string>> = { revocation: "`revoke`", introspection: "`introspect`", deviceAuthorization: "`deviceAuthorization`" };
    const methods = (row: Row) => [...(row.authorization ? [`\`authorizationUrl\` (${row.authorization.scopes} scopes)`] : []), ...(row.others ?? []).map((key) => METHODS[key] ?? key)];
    const want = new Map(GENERATED.map((row) => [row.provider, methods(row).join(", ") || "no"]));
    expect(column).toEqual(want);
  });
});
