// In-process figures for the token lifecycle, as ratios from one run:
//  1. cached `getAccessToken()` (awaited) against the floor: an awaited
//     `Map.get` plus a time compare;
//  2. a token request through the generated client against a raw `fetch` of
//     the same request to the same loopback server, interleaved rounds.
//
//   node --import tsx bench/session.ts
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { OAuth2Client } from "@badgateway/oauth2-client";
import * as oauth from "oauth4webapi";
import { createAssetClient } from "../generated/asset/index.js";

const CACHED_OPS = 2_000_000;
const REQUEST_SAMPLES = 4000;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function cachedFigures(): Promise<{ floorNs: number; sessionNs: number }> {
  const server = await tokenServer();
  const asset = createAssetClient({ baseUrl: server.url, clientId: "bench", clientSecret: "bench-secret" });
  const session = asset.session({ grant: "client_credentials" });
  await session.getAccessToken();
  const map = new Map([["key", { accessToken: "x", refreshAt: Date.now() + 3_600_000 }]]);
  const floor = async () => {
    const entry = map.get("key");
    return entry !== undefined && Date.now() < entry.refreshAt ? entry.accessToken : "";
  };
  const floorRuns: number[] = [];
  const sessionRuns: number[] = [];
  for (let round = 0; round < 5; round++) {
    let started = process.hrtime.bigint();
    for (let i = 0; i < CACHED_OPS; i++) await floor();
    floorRuns.push(Number(process.hrtime.bigint() - started) / CACHED_OPS);
    started = process.hrtime.bigint();
    for (let i = 0; i < CACHED_OPS; i++) await session.getAccessToken();
    sessionRuns.push(Number(process.hrtime.bigint() - started) / CACHED_OPS);
  }
  if (server.requests() !== 1) throw new Error(`expected 1 token request, saw ${server.requests()}`);
  await session.close();
  await server.close();
  return { floorNs: median(floorRuns), sessionNs: median(sessionRuns) };
}

async function requestFigures(): Promise<{ rawMs: number; rawTimeoutMs: number; clientMs: number; oauth4webapiMs: number; badgatewayMs: number }> {
  const server = await tokenServer();
  const asset = createAssetClient({ baseUrl: server.url, clientId: "bench", clientSecret: "bench-secret" });
  // What a hand-written client does per request: encode the form, POST it, parse the JSON.
  const raw = async () => {
    const response = await fetch(`${server.url}/v0/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams({ grant_type: "client_credentials", client_id: "bench", client_secret: "bench-secret" }).toString(),
    });
    const parsed = (await response.json()) as { access_token?: unknown };
    if (typeof parsed.access_token !== "string") throw new Error("no token");
  };
  // The same, with what a safe client must add: a timeout that also covers the body (an abort signal).
  const rawWithTimeout = async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 10_000);
    try {
      const response = await fetch(`${server.url}/v0/auth/token`, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: "bench", client_secret: "bench-secret" }).toString(),
        signal: controller.signal,
      });
      const parsed = (await response.json()) as { access_token?: unknown };
      if (typeof parsed.access_token !== "string") throw new Error("no token");
    } finally {
      clearTimeout(timer);
    }
  };
  // The token libraries a team might pick instead, on the same request (client_secret_post).
  const authorizationServer: oauth.AuthorizationServer = { issuer: server.url, token_endpoint: `${server.url}/v0/auth/token` };
  const oauthClient: oauth.Client = { client_id: "bench" };
  const viaOauth4webapi = async () => {
    const response = await oauth.clientCredentialsGrantRequest(authorizationServer, oauthClient, oauth.ClientSecretPost("bench-secret"), new URLSearchParams(), {
      [oauth.allowInsecureRequests]: true, // loopback http
    });
    const token = await oauth.processClientCredentialsResponse(authorizationServer, oauthClient, response);
    if (typeof token.access_token !== "string") throw new Error("no token");
  };
  const badgateway = new OAuth2Client({ server: server.url, tokenEndpoint: "/v0/auth/token", clientId: "bench", clientSecret: "bench-secret", authenticationMethod: "client_secret_post" });
  const viaBadgateway = async () => {
    const token = await badgateway.clientCredentials();
    if (typeof token.accessToken !== "string") throw new Error("no token");
  };
  const viaClient = async () => {
    const result = await asset.clientCredentials();
    if (!result.ok) throw new Error(result.error.message);
  };
  for (let i = 0; i < 300; i++) {
    await raw();
    await rawWithTimeout();
    await viaClient();
    await viaOauth4webapi();
    await viaBadgateway();
  }
  // One request of each at a time, order flipped every iteration, so drift on a
  // shared machine falls on both sides; medians of the per-request times.
  const rawRuns: number[] = [];
  const rawTimeoutRuns: number[] = [];
  const clientRuns: number[] = [];
  const oauth4webapiRuns: number[] = [];
  const badgatewayRuns: number[] = [];
  const cases = [
    [raw, rawRuns],
    [rawWithTimeout, rawTimeoutRuns],
    [viaClient, clientRuns],
    [viaOauth4webapi, oauth4webapiRuns],
    [viaBadgateway, badgatewayRuns],
  ] as const;
  for (let i = 0; i < REQUEST_SAMPLES; i++) {
    const order = i % 2 === 0 ? cases : [...cases].reverse();
    for (const [run, into] of order) {
      const started = process.hrtime.bigint();
      await run();
      into.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  await server.close();
  return {
    rawMs: median(rawRuns),
    rawTimeoutMs: median(rawTimeoutRuns),
    clientMs: median(clientRuns),
    oauth4webapiMs: median(oauth4webapiRuns),
    badgatewayMs: median(badgatewayRuns),
  };
}

/** A loopback token server answering every POST with a one-hour token. */
async function tokenServer(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let count = 0;
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      count++;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ access_token: `token-${count}`, token_type: "Bearer", expires_in: expiresAt }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

const cached = await cachedFigures();
const request = await requestFigures();
console.log(`Token lifecycle, in process (node ${process.version}):

| measure | tokenwright | floor | ratio |
| --- | --- | --- | --- |
| cached getAccessToken(), awaited, ns/op | ${cached.sessionNs.toFixed(0)} | ${cached.floorNs.toFixed(0)} (Map.get + time compare) | ${(cached.sessionNs / cached.floorNs).toFixed(2)}x |
| token request over loopback, ms/request (median of ${REQUEST_SAMPLES} alternated requests each) | ${request.clientMs.toFixed(3)} | ${request.rawMs.toFixed(3)} (raw fetch of the same request) | ${(request.clientMs / request.rawMs).toFixed(2)}x |
| the same, floor with a 10 s timeout signal (what a safe client adds) | ${request.clientMs.toFixed(3)} | ${request.rawTimeoutMs.toFixed(3)} (raw fetch + AbortController timeout) | ${(request.clientMs / request.rawTimeoutMs).toFixed(2)}x |
| peer: oauth4webapi client_credentials, same request | ${request.oauth4webapiMs.toFixed(3)} | ${request.rawMs.toFixed(3)} (raw fetch) | ${(request.oauth4webapiMs / request.rawMs).toFixed(2)}x |
| peer: @badgateway/oauth2-client clientCredentials, same request | ${request.badgatewayMs.toFixed(3)} | ${request.rawMs.toFixed(3)} (raw fetch) | ${(request.badgatewayMs / request.rawMs).toFixed(2)}x |

The client's timeout covers the body as well as the headers, and it needs an abort signal; on Node 20 the signal alone costs a raw fetch ${((request.rawTimeoutMs / request.rawMs - 1) * 100).toFixed(0)}% here.`);
