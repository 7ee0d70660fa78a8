// The usage example the top-level README shows for asset, run as written
// against a loopback server standing in for the provider, in both branches.
import { describe, expect, it } from "vitest";
import { createAssetClient } from "../../generated/asset/index.js";
import { CLIENT_ID, CLIENT_SECRET, expectConformingRequest, useProviderServers } from "./harness.js";
import type { ReplyPlan } from "./harness.js";

const start = useProviderServers("asset");

/**
 * The README snippet as written (no clock: asset's expiry is absolute, so
 * `expiresAt` does not depend on "now"); `log` stands in for `console.log` so
 * the test can see what it printed.
 */
async function readmeExample(baseUrl: string, clientId: string, clientSecret: string, log: (...values: unknown[]) => void): Promise<void> {
  const asset = createAssetClient({ baseUrl, clientId, clientSecret });
  const result = await asset.clientCredentials({ scope: "ledger:read", resource: ["https://api.example.com"] });
  if (result.ok) {
    log(result.token.accessToken, result.token.expiresAt);
  } else if (result.error.kind === "response" && result.error.status === 422) {
    log(result.error.body.error);
  }
}

async function run(reply: ReplyPlan): Promise<{ logged: unknown[][]; fields: Record<string, unknown> }> {
  const server = await start({ auth: { kind: "body", clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }, reply });
  const logged: unknown[][] = [];
  await readmeExample(server.url, CLIENT_ID, CLIENT_SECRET, (...values) => logged.push(values));
  const exchange = server.only();
  await expectConformingRequest("asset", exchange);
  return { logged, fields: exchange.fields };
}

const SENT = {
  grant_type: "client_credentials",
  scope: "ledger:read",
  resource: "https://api.example.com",
  client_id: CLIENT_ID,
  client_secret: CLIENT_SECRET,
};

describe("README usage example (asset)", () => {
  it("success branch: logs the access token and expiresAt (absolute expires_in, in ms)", async () => {
    const { logged, fields } = await run({ status: 200, overrides: { access_token: "at-readme", expires_in: 1_777_657_168 } });
    expect(fields).toStrictEqual(SENT);
    expect(logged).toEqual([["at-readme", 1_777_657_168_000]]);
  });

  it("422 branch: logs the documented body's error", async () => {
    const { logged, fields } = await run({ status: 422, overrides: { error: "invalid resource", data: { loc: ["resource"] } } });
    expect(fields).toStrictEqual(SENT);
    expect(logged).toEqual([["invalid resource"]]);
  });

  it("other statuses take neither branch", async () => {
    const { logged } = await run({ status: 401 });
    expect(logged).toEqual([]);
  });
});
