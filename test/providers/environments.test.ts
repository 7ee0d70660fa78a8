// Cache keys hold everything that decides the token: two environments of
// one provider (sandbox and production base URLs), two secrets, or two
// namespaces, sharing one store and one client id, never share a token.
import { afterEach, describe, expect, it } from "vitest";
import { MemoryTokenStore, createAssetClient, createAssetSession } from "../../generated/asset/index.js";
import { startTokenServer, type TokenServer } from "../support/loopback.js";

const servers: TokenServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A token endpoint that names itself in every token it issues. */
async function environment(name: string): Promise<TokenServer> {
  let issued = 0;
  const server = await startTokenServer(() => {
    issued += 1;
    return { status: 200, body: { access_token: `${name}-${issued}`, token_type: "Bearer", expires_in: 2_000_000_000 } };
  });
  servers.push(server);
  return server;
}

describe("one store, several environments (generated Asset client)", () => {
  it("sandbox and production with the same client id and secret each get their own token", async () => {
    const [sandbox, production] = [await environment("sandbox"), await environment("production")];
    const store = new MemoryTokenStore();
    const credentials = { clientId: "shared-id", clientSecret: "shared-secret" };
    const onSandbox = createAssetSession(createAssetClient({ ...credentials, baseUrl: sandbox.url }), { grant: "client_credentials" }, { store });
    const onProduction = createAssetSession(createAssetClient({ ...credentials, baseUrl: production.url }), { grant: "client_credentials" }, { store });
    expect(await onSandbox.getAccessToken()).toBe("sandbox-1");
    expect(await onProduction.getAccessToken()).toBe("production-1");
    expect(sandbox.requests).toHaveLength(1);
    expect(production.requests).toHaveLength(1);
    expect(store.size).toBe(2);
  });

  it("a different secret (a rotated credential) does not reuse the other's token", async () => {
    const server = await environment("prod");
    const store = new MemoryTokenStore();
    const first = createAssetSession(createAssetClient({ clientId: "id", clientSecret: "old", baseUrl: server.url }), { grant: "client_credentials" }, { store });
    const second = createAssetSession(createAssetClient({ clientId: "id", clientSecret: "new", baseUrl: server.url }), { grant: "client_credentials" }, { store });
    expect(await first.getAccessToken()).toBe("prod-1");
    expect(await second.getAccessToken()).toBe("prod-2");
  });

  it("the same settings share a token; a namespace keeps them apart", async () => {
    const server = await environment("prod");
    const store = new MemoryTokenStore();
    const client = createAssetClient({ clientId: "id", clientSecret: "s", baseUrl: server.url });
    expect(await createAssetSession(client, { grant: "client_credentials" }, { store }).getAccessToken()).toBe("prod-1");
    expect(await createAssetSession(client, { grant: "client_credentials" }, { store }).getAccessToken()).toBe("prod-1");
    expect(await createAssetSession(client, { grant: "client_credentials" }, { store, namespace: "tenant-b" }).getAccessToken()).toBe("prod-2");
    expect(server.requests).toHaveLength(2);
  });
});
