// The secret scan, for keys: every error a request with a private key, a
// client secret JWT, a DPoP key pair or an assertion grant can end in (from
// servers that echo everything they received, whole and in parts, in JSON
// and text bodies, at 400/401/500/503 and at 200 with an unusable body; from
// network failures whose cause carries the request; from keys that do not
// import; from a resource server echoing the proof it refuses) is rendered
// every way (message, String(), stack, JSON.stringify, util.inspect depth 10
// with and without showHidden, each cause) and searched for the private JWK
// members (d, p, q, dp, dq, qi, k), the client secret, each client
// assertion, DPoP proof, assertion, subject and actor token, access token.
import { inspect } from "node:util";
import { exportJWK, generateKeyPair } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { TOKEN_TYPES, jwtAssertion, jwtBearerGrant, tokenExchangeGrant } from "../../generator/runtime/assertion-grants.js";
import { clientAuthValue, privateKeyJwt } from "../../generator/runtime/client-jwt.js";
import { dpopKeyPair } from "../../generator/runtime/dpop.js";
import { ClientKeyError, DPoPProofRejectedError, NetworkError } from "../../generator/runtime/errors.js";
import type { Jwk } from "../../generator/runtime/jws.js";
import { requestToken } from "../../generator/runtime/request.js";
import type { SessionGrant } from "../../generator/runtime/session-types.js";
import { createSession } from "../../generator/runtime/session.js";
import type { TokenResponseError } from "../../generator/runtime/errors.js";
import type { ClientConfig, FetchLike, GrantRule } from "../../generator/runtime/types.js";
import type { RecordedRequest, TokenServerReply } from "../support/loopback.js";
import { basicGrant, endpoint } from "../runtime/helpers.js";
import { useServers } from "../session/helpers.js";

const start = useServers();
const EP = endpoint({ errorStatuses: [400, 401] });

const CLIENT_SECRET = "kc-secret-Zr81-0123456789abcdefghijklmnop";
const SUBJECT_TOKEN = "subj-TOKEN-e1b2c3d4e5f6";
const ACTOR_TOKEN = "actor-TOKEN-a9b8c7d6e5";

/** Secrets by label; values sent on the wire are added as the servers see them. */
const secrets = new Map<string, string>();
const collected: { readonly source: string; readonly error: unknown }[] = [];
/** Every request any server here received, to learn what was sent (assertions, proofs). */
const received: RecordedRequest[] = [];

function collect(source: string, error: unknown): void {
  expect(error, source).toBeInstanceOf(Error);
  collected.push({ source, error });
}

function addJwkSecrets(label: string, jwk: Record<string, unknown>): void {
  for (const member of ["d", "p", "q", "dp", "dq", "qi", "k"]) {
    const value = jwk[member];
    if (typeof value === "string") secrets.set(`${label}.${member}`, value);
  }
}

/** Spellings a secret could leak in: as it is, standard base64 of its bytes (for base64url key members), JSON and form escapes. */
function spellings(value: string): string[] {
  const out = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), new URLSearchParams([["", value]]).toString().slice(1)]);
  if (/^[A-Za-z0-9_-]+$/.test(value) && value.length >= 16) out.add(Buffer.from(value, "base64url").toString("base64").replace(/=+$/, ""));
  return [...out].filter((s) => s.length >= 8);
}

function causeChain(error: unknown): unknown[] {
  const out: unknown[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && out.length < 50) {
    const next = queue.shift();
    if (next === undefined || next === null || out.includes(next)) continue;
    out.push(next);
    if (typeof next === "object") {
      queue.push((next as { cause?: unknown }).cause);
      const errors = (next as { errors?: unknown }).errors;
      if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
    }
  }
  return out;
}

function renderings(error: unknown): { readonly how: string; readonly text: string }[] {
  return causeChain(error).flatMap((link, depth) => [
    { how: `cause[${depth}].message`, text: link instanceof Error ? link.message : "" },
    { how: `cause[${depth}] String()`, text: String(link) },
    { how: `cause[${depth}].stack`, text: link instanceof Error ? (link.stack ?? "") : "" },
    { how: `cause[${depth}] JSON.stringify`, text: JSON.stringify(link) ?? "" },
    { how: `cause[${depth}] inspect`, text: inspect(link, { depth: 10 }) },
    { how: `cause[${depth}] inspect showHidden`, text: inspect(link, { showHidden: true, depth: 10 }) },
  ]);
}

function scan(source: string, error: unknown, needles: readonly { label: string; needle: string }[]): string[] {
  const hits: string[] = [];
  for (const { how, text } of renderings(error)) {
    for (const { label, needle } of needles) if (text.includes(needle)) hits.push(`${source}: ${label} in ${how}`);
  }
  return hits;
}

/** The needles: every secret in every spelling, and the signature part of each JWT sent. */
function needles(): { label: string; needle: string }[] {
  const list: { label: string; needle: string }[] = [];
  const seen = new Set<string>();
  const add = (label: string, value: string): void => {
    for (const needle of spellings(value)) if (!seen.has(needle) && seen.add(needle)) list.push({ label, needle });
  };
  for (const [label, value] of secrets) add(label, value);
  for (const request of received) {
    const fields = new URLSearchParams(request.body);
    for (const name of ["client_assertion", "assertion", "subject_token", "actor_token", "client_secret"]) {
      const value = fields.get(name);
      if (value === null) continue;
      add(name, value);
      if (value.split(".").length === 3) add(`${name} signature`, value.slice(value.lastIndexOf(".") + 1));
    }
    const proof = request.headers["dpop"];
    if (typeof proof === "string") {
      add("DPoP proof", proof);
      add("DPoP proof signature", proof.slice(proof.lastIndexOf(".") + 1));
    }
    const authorization = request.headers.authorization;
    if (typeof authorization === "string") add("Authorization credentials", authorization.slice(authorization.indexOf(" ") + 1));
  }
  return list;
}

// ------------------------------------------------------------- servers

/** Everything the request carried, whole and its JWT signatures alone, in a JSON error body and a header. */
function echoOf(request: RecordedRequest): { text: string; parts: string[] } {
  const fields = new URLSearchParams(request.body);
  const parts: string[] = [request.body, String(request.headers["dpop"] ?? ""), String(request.headers.authorization ?? "")];
  fields.forEach((value) => {
    parts.push(value);
    if (value.split(".").length === 3) parts.push(value.slice(value.lastIndexOf(".") + 1));
  });
  const proof = request.headers["dpop"];
  if (typeof proof === "string") parts.push(proof.slice(proof.lastIndexOf(".") + 1));
  return { text: parts.join(" | "), parts };
}

type Echo = (request: RecordedRequest) => TokenServerReply;

const ECHOES: readonly { readonly name: string; readonly kind: string; readonly reply: Echo }[] = [
  { name: "400 JSON echo", kind: "response", reply: (r) => ({ status: 400, body: { error: "invalid_client", error_description: echoOf(r).text, parts: echoOf(r).parts } }) },
  { name: "401 JSON echo with a header echo", kind: "response", reply: (r) => ({ status: 401, headers: { "X-Echo": String(r.headers["dpop"] ?? "none") }, body: { error: "invalid_client", seen: echoOf(r).parts } }) },
  { name: "500 JSON echo", kind: "unexpected_status", reply: (r) => ({ status: 500, body: { message: echoOf(r).text } }) },
  { name: "503 text echo", kind: "unexpected_status", reply: (r) => ({ status: 503, headers: { "Content-Type": "text/plain" }, body: echoOf(r).text }) },
  {
    name: "200 with an unusable body and an echoing content type",
    kind: "invalid_response",
    reply: (r) => ({ status: 200, headers: { "Content-Type": `text/x-${echoOf(r).parts[3] ?? "x"}` }, body: echoOf(r).text }),
  },
  { name: "use_dpop_nonce twice, echoing", kind: "response", reply: (r) => ({ status: 400, headers: { "DPoP-Nonce": "n-1" }, body: { error: "use_dpop_nonce", error_description: echoOf(r).text } }) },
];

/** A fetch that fails with the request in its message, its cause and an AggregateError's members, as a broken platform might. */
const leakyFetch: FetchLike = async (url, init) => {
  const body = String(init.body);
  const headers = JSON.stringify(init.headers);
  const fields = new URLSearchParams(body);
  const members: Error[] = [];
  fields.forEach((value) => members.push(new Error(`field ${value}`)));
  throw new TypeError(`fetch failed for ${url} with ${headers}`, { cause: new AggregateError(members, `body ${body}`) });
};

// ------------------------------------------------------------- configurations

interface Setup {
  readonly name: string;
  readonly rule: GrantRule;
  readonly config: Omit<ClientConfig, "baseUrl">;
  readonly params: Readonly<Record<string, unknown>>;
}

async function setups(): Promise<Setup[]> {
  const ec = await generateKeyPair("ES256", { extractable: true });
  const ecJwk = (await exportJWK(ec.privateKey)) as Record<string, unknown>;
  addJwkSecrets("EC JWK", ecJwk);
  const rsa = await generateKeyPair("PS256", { extractable: true, modulusLength: 2048 });
  const rsaJwk = (await exportJWK(rsa.privateKey)) as Record<string, unknown>;
  addJwkSecrets("RSA JWK", rsaJwk);
  const ed = await generateKeyPair("Ed25519", { extractable: true });
  addJwkSecrets("Ed25519 JWK", (await exportJWK(ed.privateKey)) as Record<string, unknown>);
  const edJwk = (await exportJWK(ed.privateKey)) as Record<string, unknown>;
  secrets.set("client secret", CLIENT_SECRET);
  secrets.set("subject token", SUBJECT_TOKEN);
  secrets.set("actor token", ACTOR_TOKEN);
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"])) as CryptoKeyPair;
  addJwkSecrets("DPoP private key", (await crypto.subtle.exportKey("jwk", pair.privateKey)) as Record<string, unknown>);
  const dpop = dpopKeyPair(pair);
  return [
    { name: "private_key_jwt (EC JWK) + DPoP", rule: basicGrant, config: { clientId: "c1", clientAuth: clientAuthValue({ method: "private_key_jwt", privateKey: ecJwk as unknown as Jwk }), dpop }, params: { scope: "read" } },
    { name: "privateKeyJwt (Ed25519 JWK)", rule: basicGrant, config: { clientId: "c1", clientAuth: privateKeyJwt(edJwk as unknown as Jwk, { keyId: "ed" }) }, params: {} },
    { name: "client_secret_jwt + DPoP", rule: basicGrant, config: { clientId: "c2", clientSecret: CLIENT_SECRET, clientAuth: clientAuthValue({ method: "client_secret_jwt" }), dpop }, params: {} },
    {
      name: "token exchange, Basic, + DPoP",
      rule: tokenExchangeGrant({ kind: "basic" }),
      config: { clientId: "c3", clientSecret: CLIENT_SECRET, dpop },
      params: { subject_token: SUBJECT_TOKEN, subject_token_type: TOKEN_TYPES.accessToken, actor_token: () => ACTOR_TOKEN, actor_token_type: TOKEN_TYPES.accessToken },
    },
    {
      name: "JWT bearer signed with an RSA JWK, private_key_jwt (RSA JWK)",
      rule: jwtBearerGrant(),
      config: { clientId: "c4", clientAuth: privateKeyJwt(rsaJwk as unknown as Jwk, { algorithm: "PS256" }) },
      params: { assertion: jwtAssertion({ privateKey: rsaJwk as unknown as Jwk, algorithm: "PS256", claims: { iss: "svc", sub: "u", aud: "https://as.example" } }) },
    },
  ];
}

// ------------------------------------------------------------- gathering

describe("errors from requests with keys", () => {
  it("every echoing server, every configuration, and network failures carrying the request", async () => {
    const all = await setups();
    for (const echo of ECHOES) {
      const server = await start((request) => {
        received.push(request);
        return echo.reply(request);
      });
      for (const setup of all) {
        if (echo.name.startsWith("use_dpop_nonce") && setup.config.dpop === undefined) continue;
        const result = await requestToken(EP, setup.rule, { ...setup.config, baseUrl: server.url }, setup.params);
        expect(result.ok, `${echo.name} / ${setup.name}`).toBe(false);
        if (result.ok) continue;
        expect(result.error.kind, `${echo.name} / ${setup.name}`).toBe(echo.kind);
        collect(`${echo.name} / ${setup.name}`, result.error);
      }
    }
    for (const setup of all) {
      const result = await requestToken(EP, setup.rule, { ...setup.config, baseUrl: "http://127.0.0.1:9", fetch: leakyFetch }, setup.params);
      expect(result.ok ? undefined : result.error).toBeInstanceOf(NetworkError);
      if (!result.ok) collect(`network failure / ${setup.name}`, result.error);
    }
    // The secrets really went out: each kind of credential was received by an echoing server.
    const sent = received.map((r) => `${r.body} ${String(r.headers["dpop"])}`).join("\n");
    for (const field of ["client_assertion=", "assertion=", "subject_token=", "actor_token=", "dpop+jwt"]) {
      expect(sent.includes(field) || received.some((r) => decodeHeader(r.headers["dpop"]).includes(field)), field).toBe(true);
    }
  }, 30_000);

  it("JWKs that do not import or cannot sign, their private members all set: ClientKeyError", async () => {
    // Node imports these RSA members without checking them; signing then fails.
    const badRsa = { kty: "RSA", n: "AQAB-bad-modulus-XYZXYZXYZ", e: "AQAB", d: "private-D-member-0123456789", p: "private-P-member-0123456789", q: "private-Q-member-0123456789", dp: "private-DP-member-0123456789", dq: "private-DQ-member-0123456789", qi: "private-QI-member-0123456789" };
    // Coordinates off the curve: the import itself fails.
    const badEc = { kty: "EC", crv: "P-256", x: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", y: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", d: "private-EC-D-member-0123456789abcdefghijklm" };
    addJwkSecrets("bad RSA JWK", badRsa);
    addJwkSecrets("bad EC JWK", badEc);
    const server = await start(() => ({ status: 500 }));
    for (const [name, privateKey] of [["RSA", badRsa], ["EC", badEc]] as const) {
      const error = await requestToken(EP, basicGrant, { clientId: "c", baseUrl: server.url, clientAuth: privateKeyJwt(privateKey) }, {}).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(ClientKeyError);
      collect(`ClientKeyError: a ${name} JWK that cannot be used`, error);
      // The same keys as a JWT-bearer assertion's.
      const made = jwtAssertion({ privateKey, claims: { iss: "i", sub: "s", aud: "a" } });
      const viaAssertion = await requestToken(EP, jwtBearerGrant(), { clientId: "c", baseUrl: server.url }, { assertion: made }).catch((e: unknown) => e);
      expect(viaAssertion, name).toBeInstanceOf(ClientKeyError);
      collect(`ClientKeyError: a ${name} JWK as an assertion key`, viaAssertion);
    }
    expect(server.requests).toHaveLength(0);
  });

  it("a resource server that refuses the proof and echoes it, and the token, in error_description", async () => {
    const issuer = await start((request) => {
      received.push(request);
      return { status: 200, body: { access_token: "bound-ACCESS-token-445566", token_type: "DPoP", expires_in: 60 } };
    });
    secrets.set("access token", "bound-ACCESS-token-445566");
    const api = await start((request) => {
      received.push(request);
      const proof = String(request.headers["dpop"]);
      return { status: 401, headers: { "WWW-Authenticate": `DPoP error="invalid_dpop_proof", error_description="refused ${proof} for ${request.headers.authorization ?? ""} sig ${proof.slice(proof.lastIndexOf(".") + 1)}"` } };
    });
    const dpop = dpopKeyPair((await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"])) as CryptoKeyPair);
    const config: ClientConfig = { clientId: "c", clientSecret: CLIENT_SECRET, baseUrl: issuer.url, dpop };
    const grant: SessionGrant<Record<string, unknown>, TokenResponseError> = {
      obtain: (call) => requestToken(EP, basicGrant, config, {}, call) as never,
      reobtainable: true,
      keyParts: ["k"],
      clock: Date.now,
      dpop,
    };
    const session = createSession(grant, { origins: [api.url] });
    const error = await session.fetch(`${api.url}/r`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DPoPProofRejectedError);
    expect((error as DPoPProofRejectedError).description).toContain("[redacted]");
    collect("DPoPProofRejectedError echoing the proof and token", error);
    await session.close();
  });
});

function decodeHeader(value: unknown): string {
  if (typeof value !== "string") return "";
  return Buffer.from(value.split(".")[0] ?? "", "base64url").toString();
}

describe("the scan", () => {
  it("finds planted secrets (so that a clean result means something)", () => {
    const d = secrets.get("EC JWK.d")!;
    const planted: [string, unknown][] = [
      ["message", new Error(`key ${d}`)],
      ["cause", new Error("x", { cause: new Error(Buffer.from(d, "base64url").toString("base64")) })],
      ["inspect only", Object.defineProperty(new Error("y"), "hidden", { value: d, enumerable: false })],
    ];
    for (const [where, error] of planted) expect(scan(where, error, needles()).length, where).toBeGreaterThan(0);
  });

  afterAll(() => undefined);

  it("no error holds a private key member, a client secret, an assertion, a proof or a token, in any rendering", () => {
    const list = needles();
    const labels = new Set(list.map((n) => n.label.replace(/\..*$/, "")));
    for (const label of ["EC JWK", "RSA JWK", "Ed25519 JWK", "bad RSA JWK", "bad EC JWK", "client_assertion", "client_assertion signature", "assertion", "assertion signature", "subject token", "actor token", "DPoP proof", "DPoP proof signature", "client secret", "access token"]) {
      expect(labels.has(label), label).toBe(true);
    }
    const kinds = new Set(collected.map(({ error }) => (error as { kind?: string }).kind));
    expect([...kinds].sort()).toEqual(["client_key", "dpop_rejected", "invalid_response", "network", "response", "unexpected_status"]);
    const hits = collected.flatMap(({ source, error }) => scan(source, error, list));
    const checked = collected.reduce((n, { error }) => n + renderings(error).length, 0);
    console.log(`key secret scan: ${checked} renderings of ${collected.length} errors checked against ${list.length} needles, ${hits.length} hits`);
    expect(hits).toEqual([]);
  });
});
