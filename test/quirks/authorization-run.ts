// Runs an authorization-request row through the generated client: `authorizationUrl` with the row's call, its URL
// taken apart, and, when the row has a redirect, `authorizationCallback` with it, whose code exchange goes to a
// loopback token endpoint (what that endpoint received is the wire request).
import type { Json } from "../generator/helpers.js";
import { startTokenServer, type RecordedRequest } from "../support/loopback.js";
import { CLIENT_ID, CLIENT_SECRET, type Generated, type Row } from "./harness.js";

export interface AuthorizationRan {
  /** Where the URL points: origin and path. */
  readonly at: string;
  /** Every query parameter, in order (a name twice appears twice). */
  readonly params: readonly (readonly [string, string])[];
  /** The query as sent, for encoding. */
  readonly rawQuery: string;
  /** The callback's result, and what the token endpoint received for its code exchange. */
  readonly callback?: { readonly result: unknown; readonly requests: readonly RecordedRequest[] };
}

type Made = { readonly ok: true; readonly url: string; readonly state: string; readonly codeVerifier?: string; readonly nonce?: string } | { readonly ok: false; readonly error: unknown };
interface FlowClient {
  authorizationUrl(params: Json): Promise<Made>;
  authorizationCallback(callback: string, expected: Json): Promise<unknown>;
}

/** The placeholder a row's redirect uses for the state the authorization request made. */
export const STATE = "<state>";

export async function runAuthorization(row: Row, generated: Generated): Promise<AuthorizationRan> {
  const want = row.authorization!;
  const server = await startTokenServer(() => ({ status: 200, body: { access_token: "at", token_type: "Bearer", expires_in: 3600 } }));
  try {
    const create = generated.module[`create${generated.model.typePrefix}Client`] as (options: Json) => FlowClient;
    // `viaFetch`: the client's server comes from the spec's servers (and `serverVariables`), not the loopback URL.
    const client = create({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, ...(row.viaFetch === true ? {} : { baseUrl: server.url }), ...row.options });
    const made = await client.authorizationUrl(want.call);
    if (!made.ok) throw new Error(`authorizationUrl failed: ${JSON.stringify(made.error)}`);
    const url = new URL(made.url);
    const ran = { at: `${url.origin}${url.pathname}`, params: [...url.searchParams], rawQuery: url.search.slice(1) };
    if (want.callback === undefined) return ran;
    const expected = {
      state: made.state,
      redirectUri: String(want.call["redirectUri"]),
      ...(made.codeVerifier !== undefined ? { codeVerifier: made.codeVerifier } : {}),
      ...(made.nonce !== undefined ? { nonce: made.nonce } : {}),
    };
    const result = await client.authorizationCallback(want.callback.redirect.replace(STATE, encodeURIComponent(made.state)), expected);
    return { ...ran, callback: { result, requests: [...server.requests] } };
  } finally {
    await server.close();
  }
}
