// Small OpenAPI documents for the quirk rows: one token operation, everything else stated by the row.
import type { Json } from "../generator/helpers.js";

export interface DocOptions {
  readonly path?: string;
  /** Request body media type; `null`: the operation takes no body. */
  readonly mediaType?: string | null;
  /** Request body properties, besides `grant_type` (unless `grantTypes` is empty). */
  readonly body?: Json;
  readonly required?: readonly string[];
  /** The `grant_type` enum; empty: the body has no `grant_type`. */
  readonly grantTypes?: readonly string[];
  readonly parameters?: readonly Json[];
  /** Success body properties (default: RFC 6749 §5.1 members). */
  readonly response?: Json;
  readonly responseRequired?: readonly string[];
  /** Document a 400 with an RFC 6749 §5.2 body (default true). */
  readonly errors?: boolean;
  readonly servers?: readonly Json[];
  /** HTTP Basic client authentication, as a security scheme. */
  readonly basic?: boolean;
  /** Extra `components` (security schemes, ...). */
  readonly components?: Json;
  readonly security?: readonly Json[];
}

export const CREDENTIALS: Json = { client_id: { type: "string" }, client_secret: { type: "string" } };
export const RFC_TOKEN: Json = {
  access_token: { type: "string" },
  token_type: { type: "string" },
  expires_in: { type: "integer" },
  refresh_token: { type: "string" },
  scope: { type: "string" },
};

/** A document with one token operation. */
export function doc(options: DocOptions = {}): Json {
  const grantTypes = options.grantTypes ?? ["client_credentials"];
  const properties: Json = { ...(grantTypes.length > 0 ? { grant_type: { type: "string", enum: grantTypes } } : {}), ...options.body };
  const required = options.required ?? (grantTypes.length > 0 ? ["grant_type"] : []);
  const responses: Json = {
    "200": {
      description: "A token",
      content: {
        "application/json": {
          schema: { type: "object", ...(options.responseRequired ? { required: options.responseRequired } : {}), properties: options.response ?? RFC_TOKEN },
        },
      },
    },
    ...(options.errors === false
      ? {}
      : {
          "400": {
            description: "RFC 6749 §5.2",
            content: { "application/json": { schema: { type: "object", required: ["error"], properties: { error: { type: "string" }, error_description: { type: "string" } } } } },
          },
        }),
  };
  const mediaType = options.mediaType === undefined ? "application/x-www-form-urlencoded" : options.mediaType;
  const components: Json = {
    ...options.components,
    ...(options.basic === true ? { securitySchemes: { clientBasic: { type: "http", scheme: "basic" } } } : {}),
  };
  return {
    openapi: "3.0.3",
    info: { title: "Quirk", version: "1" },
    servers: options.servers ?? [{ url: "https://auth.example.com" }],
    paths: {
      [options.path ?? "/oauth/token"]: {
        post: {
          ...(options.parameters ? { parameters: options.parameters } : {}),
          ...(mediaType === null
            ? {}
            : { requestBody: { required: true, content: { [mediaType]: { schema: { type: "object", required, properties } } } } }),
          responses,
          ...(options.basic === true ? { security: [{ clientBasic: [] }] } : options.security ? { security: options.security } : {}),
        },
      },
    },
    ...(Object.keys(components).length > 0 ? { components } : {}),
  };
}

/** A document whose OAuth2 authorization-code flow names the authorization URL (rows pending issue 12). */
export function authorizationDoc(flow: Json = {}, extra: { readonly servers?: readonly Json[] } = {}): Json {
  const base = doc({
    grantTypes: ["authorization_code", "refresh_token"],
    body: { code: { type: "string" }, redirect_uri: { type: "string" }, refresh_token: { type: "string" }, ...CREDENTIALS },
    ...(extra.servers ? { servers: extra.servers } : {}),
  });
  return {
    ...base,
    components: {
      securitySchemes: {
        oauth: {
          type: "oauth2",
          flows: {
            authorizationCode: {
              authorizationUrl: "https://auth.example.com/oauth/authorize",
              tokenUrl: "https://auth.example.com/oauth/token",
              scopes: { read: "Read", write: "Write" },
              ...flow,
            },
          },
        },
      },
    },
  };
}
