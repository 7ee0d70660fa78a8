// oidc-provider on loopback (http://127.0.0.1:<random port>), configured to
// require keys: private_key_jwt and client_secret_jwt clients, client
// credentials, DPoP with server nonces, and JWT access tokens for one
// resource server (so that a resource server can read `cnf.jkt`).
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { exportJWK, generateKeyPair } from "jose";
import type { JWK } from "jose";
import Provider, { errors } from "oidc-provider";
import type { ClientMetadata } from "oidc-provider";

export interface ProviderServer {
  /** The issuer, `http://127.0.0.1:PORT` (no trailing slash). */
  readonly issuer: string;
  /** The token endpoint's URL. */
  readonly tokenUrl: string;
  /** The public JWKS the provider signs access tokens with. */
  readonly jwks: { readonly keys: JWK[] };
  /** Every token request: the DPoP proof it carried (undefined when none), and the status answered. */
  readonly tokenRequests: { readonly dpop: string | undefined; status: number; body: string }[];
  close(): Promise<void>;
}

export interface ProviderSetup {
  readonly clients: ClientMetadata[];
  /** The resource server's URL (its JWT access tokens' audience). */
  readonly resource: string;
  /** Whether DPoP nonces are demanded (default true). */
  readonly requireNonce?: boolean;
  /** Extra checks of a client assertion (aud, sub, iat…), as oidc-provider's hook. */
  readonly assertClientAssertion?: (claims: Record<string, unknown>, header: Record<string, unknown>) => void;
}

export async function startProvider(setup: ProviderSetup): Promise<ProviderServer> {
  const signing = await generateKeyPair("ES256", { extractable: true });
  const privateJwk = { ...(await exportJWK(signing.privateKey)), alg: "ES256", use: "sig", kid: "as-1" };
  const publicJwk = { ...(await exportJWK(signing.publicKey)), alg: "ES256", use: "sig", kid: "as-1" };
  const sockets = new Set<Socket>();
  let handler: ((req: import("node:http").IncomingMessage, res: import("node:http").ServerResponse) => void) | undefined;
  const tokenRequests: { dpop: string | undefined; status: number; body: string }[] = [];
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/token") === true) {
      const entry = { dpop: req.headers["dpop"] as string | undefined, status: 0, body: "" };
      tokenRequests.push(entry);
      const write = res.write.bind(res);
      const end = res.end.bind(res);
      const chunks: Buffer[] = [];
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (chunk !== undefined && chunk !== null) chunks.push(Buffer.from(chunk as string));
        return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof res.write;
      res.end = ((chunk: unknown, ...rest: unknown[]) => {
        if (chunk !== undefined && chunk !== null && typeof chunk !== "function") chunks.push(Buffer.from(chunk as string));
        entry.status = res.statusCode;
        entry.body = Buffer.concat(chunks).toString("utf8");
        return (end as (...a: unknown[]) => unknown)(chunk, ...rest);
      }) as typeof res.end;
    }
    handler?.(req, res);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    // The provider signs with ES256 only; clients default to RS256 ID tokens otherwise.
    clients: setup.clients.map((client) => ({ id_token_signed_response_alg: "ES256", response_types: [], redirect_uris: [], grant_types: ["client_credentials"], ...client })),
    clientAuthMethods: ["private_key_jwt", "client_secret_jwt", "client_secret_basic", "client_secret_post", "none"],
    jwks: { keys: [privateJwk] },
    scopes: ["openid", "offline_access", "api:read", "api:write"],
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => setup.requireNonce ?? true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => setup.resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: "api:read api:write", audience: setup.resource, accessTokenFormat: "jwt", jwt: { sign: { alg: "ES256" } } }),
      },
    },
    async assertJwtClientAuthClaimsAndHeader(_ctx: unknown, claims: unknown, header: unknown) {
      try {
        setup.assertClientAssertion?.(claims as Record<string, unknown>, header as Record<string, unknown>);
      } catch (error) {
        throw new errors.InvalidClientAuth((error as Error).message);
      }
    },
  });
  // Quiet: the provider logs nothing during tests.
  provider.on("server_error", () => undefined);
  handler = provider.callback();
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    jwks: { keys: [publicJwk] },
    tokenRequests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
