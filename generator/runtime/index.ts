// Public API of the tokenwright runtime. Generated clients import from here.
export type {
  CallOptions,
  ClientAuthRule,
  ClientConfig,
  Clock,
  ExpiryRule,
  FetchLike,
  FieldPath,
  GrantRule,
  ParameterLocation,
  StatusKey,
  Token,
  TokenEndpoint,
  TokenFieldNames,
  TokenResult,
} from "./types.js";
export {
  AbortedError,
  DiscoveryError,
  InvalidResponseError,
  NetworkError,
  TimeoutError,
  TokenClientConfigError,
  TokenError,
  TokenResponseError,
  UnexpectedStatusError,
} from "./errors.js";
export type { DiscoveryTransportError, TransportError } from "./errors.js";
export { encodeBody, encodeQuery, headerValue, joinSpaceDelimited, pathSegment } from "./encode.js";
export type { EncodedBody } from "./encode.js";
export { applyClientAuth, basicAuthorization } from "./client-auth.js";
export type { MutableFields, MutableHeaders } from "./client-auth.js";
export { computeExpiresAt } from "./expiry.js";
export { fieldPathName, readField } from "./field-path.js";
export { discoveredClientAuth, discoverTokenEndpoint } from "./discovery.js";
export type { DiscoveredEndpoint, DiscoveryOptions, DiscoveryOutcome } from "./discovery.js";
export type { ExpiryResult } from "./expiry.js";
export { assertSecureUrl, fillServerUrl, joinUrl, resolveBaseUrl } from "./url.js";
export type { NamedServer, ServerChoice, ServerVariable } from "./url.js";
export { DEFAULT_TIMEOUT_MS, MAX_BODY_BYTES, MAX_ERROR_TEXT_CHARS, requestToken } from "./request.js";
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
export type { RetryOptions, SessionError, SessionGrant, SessionMiddleware, SessionOptions, SessionTokenResult, TokenSession } from "./session-types.js";
export {
  CoolingDownError,
  InvalidTokenValueError,
  ReauthenticationRequiredError,
  SessionClosedError,
  SessionDeadlineError,
  TokenOriginError,
  TokenStoreUnavailableError,
} from "./session-errors.js";
export { MemoryTokenStore } from "./store.js";
export type { StoredToken, TokenLease, TokenStore } from "./store.js";
export { canonicalJson } from "./canonical.js";
