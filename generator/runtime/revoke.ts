// Token revocation (RFC 7009) and introspection (RFC 7662): a form POST of
// the token with the client's authentication, answered without a token.
import { InvalidResponseError } from "./errors.js";
import { endpointUrl, postForm, type EndpointError, type FlowEndpoint } from "./flow-request.js";
import { fail, type Failure } from "./response-read.js";
import type { CallOptions, ClientAuthRule, ClientConfig } from "./types.js";

/** A revocation or introspection endpoint, and how the client authenticates there (RFC 7009 §2.1, RFC 7662 §2.1). */
export interface TokenManagementEndpoint extends FlowEndpoint {
  readonly clientAuth: ClientAuthRule;
}

/** RFC 7009 §2.1 / RFC 7662 §2.1 `token_type_hint`: the registered values, or any other the server knows. */
export type TokenTypeHint = "access_token" | "refresh_token" | (string & {});

/** The token to revoke or introspect. */
export interface TokenManagementParams {
  readonly token: string;
  readonly tokenTypeHint?: TokenTypeHint | undefined;
}

/** What {@link revokeToken} resolves to. */
export type RevocationResult = { readonly ok: true } | Failure<EndpointError>;

/** RFC 7662 §2.2: the introspection answer; `active` is all a server must send. */
export interface Introspection {
  readonly active: boolean;
  readonly scope?: string;
  readonly client_id?: string;
  readonly username?: string;
  readonly token_type?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly nbf?: number;
  readonly sub?: string;
  readonly aud?: string | readonly string[];
  readonly iss?: string;
  readonly jti?: string;
  readonly [claim: string]: unknown;
}

/** What {@link introspectToken} resolves to. */
export type IntrospectionResult = { readonly ok: true; readonly introspection: Introspection } | Failure<EndpointError | InvalidResponseError>;

/**
 * Revokes a token (RFC 7009 §2.1): POSTs `token` and `token_type_hint` with
 * the client's authentication. A 200 is success, also for a token the server
 * did not know (§2.2); an error answer (`unsupported_token_type`,
 * `invalid_client`, §2.2.1) or a transport failure is `{ ok: false, error }`,
 * with the token redacted from it.
 *
 * @throws TokenClientConfigError for an insecure endpoint or unusable options.
 */
export async function revokeToken(endpoint: TokenManagementEndpoint, config: ClientConfig, params: TokenManagementParams, call: CallOptions = {}): Promise<RevocationResult> {
  const answer = await postForm("revocation endpoint", endpointUrl(endpoint, config.baseUrl), fieldsOf(params), endpoint.clientAuth, config, call, [params.token]);
  return answer.ok ? { ok: true } : answer;
}

/**
 * Asks whether a token is active (RFC 7662 §2.1): POSTs `token` and
 * `token_type_hint` with the client's authentication and returns the JSON
 * answer (§2.2), whose `active` must be a boolean. The token is redacted from
 * any error.
 *
 * @throws TokenClientConfigError for an insecure endpoint or unusable options.
 */
export async function introspectToken(
  endpoint: TokenManagementEndpoint,
  config: ClientConfig,
  params: TokenManagementParams,
  call: CallOptions = {},
): Promise<IntrospectionResult> {
  const answer = await postForm("introspection endpoint", endpointUrl(endpoint, config.baseUrl), fieldsOf(params), endpoint.clientAuth, config, call, [params.token]);
  if (!answer.ok) return answer;
  const json = answer.json;
  if (typeof json !== "object" || json === null || typeof (json as { active?: unknown }).active !== "boolean") {
    return fail(new InvalidResponseError(answer.status, "the introspection response has no boolean active", { endpoint: "introspection endpoint" }));
  }
  return { ok: true, introspection: json as Introspection };
}

function fieldsOf(params: TokenManagementParams): Record<string, string> {
  return { token: params.token, ...(params.tokenTypeHint !== undefined ? { token_type_hint: params.tokenTypeHint } : {}) };
}
