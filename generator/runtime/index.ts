// Public API of the tokenwright runtime. Generated clients import from here.
export type {
  AppliedClientAuth,
  CallOptions,
  ClientAuth,
  ClientAuthMethod,
  ClientAuthRule,
  ClientAuthValue,
  DocumentedClientAuth,
  GrantParams,
  JwtClientAuth,
  ClientConfig,
  Clock,
  ErrorInSuccessRule,
  ExpiryRule,
  FetchBody,
  FetchInput,
  FetchLike,
  FetchRedirect,
  FieldPath,
  GrantRule,
  GrantUrl,
  ParameterLocation,
  StatusKey,
  Token,
  TokenEndpoint,
  TokenFieldFallbacks,
  TokenFieldNames,
  TokenResult,
} from "./types.js";
export { AbortedError, ClientKeyError, DPoPProofError, DPoPProofRejectedError, DiscoveryError, InvalidResponseError, NetworkError, TimeoutError, TokenClientConfigError, TokenError, TokenResponseError, UnexpectedStatusError } from "./errors.js";
export { StateMismatchError, AuthorizationResponseError, IssuerMismatchError, MissingCodeError, NonceMismatchError, DeviceFlowEndedError } from "./flow-errors.js";
export type { DiscoveryTransportError, KeyError, TransportError } from "./errors.js";
export type { CallbackError } from "./flow-errors.js";
export { encodeBody, encodeQuery, headerValue, joinSpaceDelimited, pathSegment } from "./encode.js";
export { keptFields } from "./request-build.js";
export type { EncodedBody } from "./encode.js";
export {
  applyClientAuth,
  basicAuthorization,
  CLIENT_ID_FIELD,
  CLIENT_SECRET_BASIC,
  CLIENT_SECRET_FIELD,
  decideClientAuth,
  CLIENT_SECRET_POST,
  JWT_CLIENT_ASSERTION_TYPE,
  NO_CLIENT_AUTH,
  TLS_CLIENT_AUTH,
} from "./client-auth.js";
export { clientAuthValue, clientSecretJwt, DEFAULT_ASSERTION_LIFETIME_S, keyOptions, privateKeyJwt } from "./client-jwt.js";
export type { AsymmetricAlgorithm, CryptoKeyLike, CryptoKeyPairLike, HmacAlgorithm, Jwk } from "./jws.js";
export { dpopKeyPair } from "./dpop.js";
export type { DPoPKeyPair, DPoPOptions } from "./dpop.js";
export {
  checkAssertionParams,
  JWT_BEARER_GRANT_TYPE,
  jwtAssertion,
  jwtBearerGrant,
  reobtainableWith,
  TOKEN_EXCHANGE_GRANT_TYPE,
  TOKEN_TYPES,
  tokenExchangeGrant,
} from "./assertion-grants.js";
export type { AssertionClaims, CredentialSource, JwtAssertionOptions, JwtBearerParams, TokenExchangeParams } from "./assertion-grants.js";
export type { ClientAuthDecision, ClientAuthGiven, ClientAuthReason, DiscoveredAuthMethods, MutableFields, MutableHeaders } from "./client-auth.js";
export { computeExpiresAt } from "./expiry.js";
export { fieldPathName, readField } from "./field-path.js";
export { discoverTokenEndpoint } from "./discovery.js";
export type { DiscoveredEndpoint, DiscoveryOptions, DiscoveryOutcome } from "./discovery.js";
export type { ExpiryResult } from "./expiry.js";
export { assertSecureUrl, fillServerUrl, joinUrl, resolveBaseUrl } from "./url.js";
export type { NamedServer, ServerChoice, ServerVariable } from "./url.js";
export {
  buildTokenRequest,
  DEFAULT_TIMEOUT_MS,
  MAX_BODY_BYTES,
  MAX_ERROR_TEXT_CHARS,
  requestToken,
  requestTokenNoDiscovery,
} from "./request.js";
export type { BuildTokenRequestOptions } from "./request.js";
export { processTokenResponse } from "./token-response.js";
export type { ProcessTokenResponseOptions } from "./token-response.js";
export { MAX_TIMER_MS } from "./timers.js";
export {
  createSession,
  DEFAULT_DEADLINE_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_REFRESH_MARGIN_MS,
  DEFAULT_REFRESH_MARGIN_SHARE,
  DEFAULT_STORE_TIMEOUT_MS,
} from "./session.js";
export { sessionKeyParts } from "./session-key.js";
export type { SessionStats } from "./session-pace.js";
export type { CloseOptions, RetryOptions, SessionError, SessionGrant, SessionMiddleware, SessionOptions, SessionTokenResult, TokenSession } from "./session-types.js";
export {
  CoolingDownError,
  InvalidTokenValueError,
  ReauthenticationRequiredError,
  SessionClosedError,
  SessionDeadlineError,
  TokenOriginError,
  TokenStoreUnavailableError,
} from "./session-errors.js";
export type { TokenEvent, TokenEventHook } from "./events.js";
export { MemoryTokenStore } from "./store.js";
export type { StoredToken, TokenLease, TokenStore } from "./store.js";
export { canonicalJson } from "./canonical.js";
export { authorizationUrl, randomToken, s256 } from "./authorize.js";
export type { AuthorizationEndpoint, AuthorizationParams, AuthorizationRequest, AuthorizationUrlResult } from "./authorize.js";
export { authorizationCallback } from "./callback.js";
export type { CallbackExpectation, CallbackResult, CodeExchangeParams } from "./callback.js";
export { DEFAULT_DEVICE_INTERVAL_S, DEVICE_CODE_GRANT_TYPE, deviceAuthorization, SLOW_DOWN_STEP_S } from "./device.js";
export type {
  DeviceAuthorization,
  DeviceAuthorizationEndpoint,
  DeviceAuthorizationParams,
  DeviceAuthorizationResult,
  DevicePollResult,
  PollOptions,
} from "./device.js";
export { introspectToken, revokeToken } from "./revoke.js";
export type { Introspection, IntrospectionResult, RevocationResult, TokenManagementEndpoint, TokenManagementParams, TokenTypeHint } from "./revoke.js";
export { endpointUrl } from "./flow-request.js";
export type { EndpointError, FlowEndpoint } from "./flow-request.js";
