// End-to-end harness for the generated provider clients.
//
// A real loopback server (test/support/loopback.ts) stands in for the
// provider's token endpoint. For every request it receives it records:
// - whether the request conforms to the spec's OWN request schema and media
//   type (test/support/spec-schema.ts `validateRequest`),
// - whether the client authenticated itself the way the spec implies
//   (RFC 6749 §2.3.1: `client_id`/`client_secret` body fields, or an
//   `Authorization: Basic` header of the form-encoded id and secret),
// - the fields that were sent, decoded without any schema help,
// and it answers with a body sampled from the spec's documented response
// (`sampleResponse`), so nothing here is a hand-written guess at what a
// provider accepts or returns.
import { fileURLToPath } from "node:url";
import { afterEach, expect } from "vitest";
import { startTokenServer } from "../support/loopback.js";
import type { RecordedRequest, TokenServer, TokenServerReply } from "../support/loopback.js";
import { TokenResponseError, UnexpectedStatusError } from "../../generated/runtime/index.js";
import { loadSpecSchemas } from "../support/spec-schema.js";
import type { ProviderModel } from "../../generator/model/index.js";
import { loadAndModel, specInputFiles } from "../../generator/pipeline/model-providers.js";
import type { OperationSchemas } from "../support/spec-schema.js";

/** The fixed "now" every client in these tests reads from its clock. */
export const NOW = 1_750_000_000_000;
export const clock = (): number => NOW;

/** Credentials with characters RFC 6749 Appendix B encoding has to handle. */
export const CLIENT_ID = "tw client:1+é";
export const CLIENT_SECRET = "s3cr%t:Zq9! /=é";

export type ProviderName = "asset" | "commercelayer" | "devportal" | "zeepay" | "zype";

/** Where each provider's token operation lives in its spec. */
export const PROVIDER_SPECS: Readonly<Record<ProviderName, { readonly file: string; readonly path: string }>> = {
  asset: { file: "asset.yaml", path: "/v0/auth/token" },
  commercelayer: { file: "commercelayer.yaml", path: "/oauth/token" },
  devportal: { file: "devportal.yaml", path: "/oauth2/tokens" },
  zeepay: { file: "zeepay.yaml", path: "/oauth/token" },
  zype: { file: "zype.json", path: "/oauth/token" },
};

const operations = new Map<ProviderName, Promise<OperationSchemas>>();

/** The spec's token operation (request/response schemas), loaded once per test file. */
export function tokenOperation(provider: ProviderName): Promise<OperationSchemas> {
  let loaded = operations.get(provider);
  if (loaded === undefined) {
    const { file, path } = PROVIDER_SPECS[provider];
    const specFile = fileURLToPath(new URL(`../../specs/${file}`, import.meta.url));
    loaded = loadSpecSchemas(specFile).then((spec) => spec.operation(path, "post"));
    operations.set(provider, loaded);
  }
  return loaded;
}

const models = new Map<ProviderName, Promise<ProviderModel>>();

/** The generator's model of the provider, built from the same spec and config. */
function providerModel(provider: ProviderName): Promise<ProviderModel> {
  let built = models.get(provider);
  if (built === undefined) {
    const { file } = PROVIDER_SPECS[provider];
    const specFile = fileURLToPath(new URL(`../../specs/${file}`, import.meta.url));
    built = loadAndModel(specInputFiles(specFile));
    models.set(provider, built);
  }
  return built;
}

/**
 * Schema errors that remain once the spec is amended by what the model
 * states (with a recorded fact) about the request's grant: required fields
 * the grant leaves out because an RFC or the provider config assigns them
 * elsewhere. Nothing else is forgiven.
 */
function unexcusedErrors(model: ProviderModel, fields: SentFields, errors: readonly string[]): string[] {
  const grant = model.grants.find((g) => g.grantField !== undefined && g.grantType === fields[g.grantField]);
  const excused = new Set(grant?.relaxedRequired ?? []);
  return errors.filter((error) => {
    const missing = /^(?:\[[^\]]+\] )?\/ must have required property '([^']+)'$/.exec(error)?.[1];
    return missing === undefined || !excused.has(missing);
  });
}

/**
 * How the spec says the client authenticates for a grant.
 * - `body`: `client_id` in the body; `client_secret` too when `clientSecret`
 *   is given, and then ONLY then (absent means it must not be sent).
 * - `basic`: `Authorization: Basic` decoding to exactly id and secret, and
 *   no credentials in the body.
 */
export type ExpectedClientAuth =
  | { readonly kind: "body"; readonly clientId: string; readonly clientSecret?: string }
  | { readonly kind: "basic"; readonly clientId: string; readonly clientSecret: string };

/** What the server answers. */
export type ReplyPlan =
  /** A body sampled from the spec's response for `status`, with `overrides` merged in. */
  | { readonly status: number; readonly overrides?: Record<string, unknown> }
  /** A status the spec does not document, with a JSON body of the test's choosing. */
  | { readonly status: number; readonly undocumentedBody: Record<string, unknown> };

/** Fields as sent: form keys (a repeated key becomes an array) or the JSON object. */
export type SentFields = Record<string, unknown>;

/** One request the fake provider received, and what it made of it. */
export interface Exchange {
  readonly request: RecordedRequest;
  /** Schema errors from `validateRequest` not excused by a model fact (empty when the request conforms). */
  readonly schemaErrors: readonly string[];
  /** Ways the client authentication differs from what the spec implies (empty when it matches). */
  readonly authProblems: readonly string[];
  /** The decoded body, as sent (no schema coercion). */
  readonly fields: SentFields;
  /** The status and body the server answered with. */
  readonly replyStatus: number;
  readonly replyBody: unknown;
}

export interface ProviderServer {
  /** `http://127.0.0.1:PORT`: pass it as the client's `baseUrl`. */
  readonly url: string;
  readonly exchanges: readonly Exchange[];
  /** The one exchange of the test; fails the test when there were none or several. */
  only(): Exchange;
}

export interface ProviderServerOptions {
  readonly auth: ExpectedClientAuth;
  readonly reply: ReplyPlan;
}

/**
 * Starts fake-provider servers, closed after each test. Call once per test
 * file (at the top level), then call the returned function in each test.
 */
export function useProviderServers(
  provider: ProviderName,
): (options: ProviderServerOptions) => Promise<ProviderServer> {
  const open: TokenServer[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((server) => server.close()));
  });
  return async (options) => {
    const op = await tokenOperation(provider);
    const model = await providerModel(provider);
    const exchanges: Exchange[] = [];
    const server = await startTokenServer((request): TokenServerReply => {
      const check = op.validateRequest(header(request, "content-type"), request.body);
      const fields = decodeFields(request);
      const reply = answer(op, options.reply);
      exchanges.push({
        request,
        schemaErrors: check.ok ? [] : unexcusedErrors(model, fields, check.errors),
        authProblems: clientAuthProblems(options.auth, request, fields),
        fields,
        replyStatus: reply.status,
        replyBody: reply.parsed,
      });
      // The fake provider's clock agrees with the client's: its Date header is the test's NOW.
      return { ...reply.reply, headers: { ...reply.reply.headers, Date: new Date(NOW).toUTCString() } };
    });
    open.push(server);
    return {
      url: server.url,
      exchanges,
      only(): Exchange {
        expect(exchanges, "requests the server received").toHaveLength(1);
        const [exchange] = exchanges;
        if (exchange === undefined) throw new Error("no request received");
        return exchange;
      },
    };
  };
}

/**
 * The checks every exchange must pass: POST to the spec's path, and client
 * authentication as the spec implies. Schema validation is a soft assertion
 * so a schema mismatch is reported next to any other failure of the test
 * rather than hiding it.
 */
export async function expectConformingRequest(provider: ProviderName, exchange: Exchange): Promise<void> {
  const op = await tokenOperation(provider);
  expect(exchange.request.method).toBe("POST");
  expect(exchange.request.url).toBe(op.path);
  expect(exchange.authProblems, "client authentication").toEqual([]);
  expect.soft(exchange.schemaErrors, `request validated against ${PROVIDER_SPECS[provider].file}`).toEqual([]);
}

function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function mediaType(request: RecordedRequest): string {
  return (header(request, "content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** Decodes the body by its media type only: form keys (repeats kept as arrays), or JSON. */
function decodeFields(request: RecordedRequest): SentFields {
  if (mediaType(request) === "application/json") {
    const parsed: unknown = JSON.parse(request.body);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new Error("JSON request body is not an object");
    }
    return parsed as SentFields;
  }
  const params = new URLSearchParams(request.body);
  const fields: SentFields = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    fields[name] = values.length === 1 ? values[0] : values;
  }
  return fields;
}

/** RFC 6749 Appendix B decoding of one form-encoded value. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, " "));
}

/**
 * Decodes `Authorization: Basic` as RFC 6749 §2.3.1 builds it: base64 of
 * `formEncode(id) ":" formEncode(secret)`. Returns undefined when the header is
 * absent or not of that shape.
 */
export function decodeBasicAuthorization(value: string | undefined): { id: string; secret: string } | undefined {
  if (value === undefined) return undefined;
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

function clientAuthProblems(expected: ExpectedClientAuth, request: RecordedRequest, fields: SentFields): string[] {
  const problems: string[] = [];
  const authorization = header(request, "authorization");
  switch (expected.kind) {
    case "body": {
      if (authorization !== undefined) problems.push("sent an Authorization header although the spec puts credentials in the body");
      if (fields["client_id"] !== expected.clientId) problems.push("body client_id is not the configured client id");
      if (expected.clientSecret === undefined) {
        if ("client_secret" in fields) problems.push("sent client_secret although none is configured or used by this grant");
      } else if (fields["client_secret"] !== expected.clientSecret) {
        problems.push("body client_secret is not the configured secret");
      }
      break;
    }
    case "basic": {
      const credentials = decodeBasicAuthorization(authorization);
      if (credentials === undefined) problems.push("no well-formed Authorization: Basic header");
      else {
        if (credentials.id !== expected.clientId) problems.push("Basic user-id is not the configured client id");
        if (credentials.secret !== expected.clientSecret) problems.push("Basic password is not the configured secret");
      }
      if ("client_id" in fields || "client_secret" in fields) problems.push("sent client credentials in the body as well as in Basic");
      break;
    }
  }
  return problems;
}

function answer(op: OperationSchemas, plan: ReplyPlan): { status: number; parsed: unknown; reply: TokenServerReply } {
  if ("undocumentedBody" in plan) {
    if (op.responseStatuses.includes(String(plan.status))) {
      throw new Error(`status ${plan.status} is documented by the spec; use overrides instead`);
    }
    return {
      status: plan.status,
      parsed: plan.undocumentedBody,
      reply: { status: plan.status, headers: { "Content-Type": "application/json" }, body: JSON.stringify(plan.undocumentedBody) },
    };
  }
  const sampled = op.sampleResponse(plan.status, plan.overrides);
  if (sampled.contentType === "") return { status: plan.status, parsed: undefined, reply: { status: plan.status } };
  return {
    status: plan.status,
    parsed: sampled.body,
    reply: { status: plan.status, headers: { "Content-Type": sampled.contentType }, body: JSON.stringify(sampled.body) },
  };
}

/** The documented error statuses of a spec's token operation, as numbers. */
export async function documentedErrorStatuses(provider: ProviderName): Promise<number[]> {
  const op = await tokenOperation(provider);
  return op.responseStatuses.map(Number).filter((status) => Number.isInteger(status) && status >= 400);
}

/** Narrows a result to its error, failing the test with the token when it succeeded. */
export function errorOf<E>(result: { readonly ok: true; readonly token: unknown } | { readonly ok: false; readonly error: E }): E {
  if (result.ok) throw new Error(`expected an error, got a token: ${JSON.stringify(result.token)}`);
  return result.error;
}

/** Narrows a result to its token, failing the test with the error when it failed. */
export function tokenOf<T>(result: { readonly ok: true; readonly token: T } | { readonly ok: false; readonly error: unknown }): T {
  if (!result.ok) {
    const error = result.error;
    throw new Error(`expected a token, got an error: ${error instanceof Error ? error.message : String(error)}`);
  }
  return result.token;
}

/**
 * Asserts the client authenticated as the spec implies, and that a failed
 * result carries the server's answer: `kind` (`response` for
 * a documented status, `unexpected_status` otherwise), the status, and a body
 * deep-equal to the one the server sent.
 */
export function expectAnswerError(
  result: { readonly ok: true; readonly token: unknown } | { readonly ok: false; readonly error: { readonly kind: string } },
  exchange: Exchange,
  kind: "response" | "unexpected_status",
): void {
  expect(exchange.authProblems, "client authentication").toEqual([]);
  const error = errorOf(result);
  expect(error.kind).toBe(kind);
  expect(error).toBeInstanceOf(kind === "response" ? TokenResponseError : UnexpectedStatusError);
  expect(error).toHaveProperty("status", exchange.replyStatus);
  expect(error).toHaveProperty("body");
  expect((error as { readonly body?: unknown }).body).toStrictEqual(exchange.replyBody);
}
