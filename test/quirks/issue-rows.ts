// The quirks issue 13 adds to the catalogue's token table: errors sent with status 200 (by a value, a
// presence, a set of values), response encodings (a form labelled JSON, a form unless JSON is asked
// for) and `issued_at` plus a stated lifetime.
import { START, type Row } from "./harness.js";
import { CREDENTIALS, RFC_TOKEN, doc } from "./specs.js";

const SLACK_RESPONSE = { ok: { type: "boolean" }, error: { type: "string", enum: ["invalid_code", "invalid_client_id", "bad_redirect_uri"] }, access_token: { type: "string" }, token_type: { type: "string" } };

export const ISSUE_ROWS: readonly Row[] = [
  {
    quirk: "errors sent with status 200, by a field's value",
    table: "issue 13",
    examples: "Slack `{\"ok\": false}`",
    // No error status documented: the error type must still have kind "response".
    spec: doc({ body: CREDENTIALS, response: SLACK_RESPONSE, errors: false }),
    config: { response: { errorWhen: { field: "ok", equals: false, code: "error" } } },
    serve: () => ({ status: 200, body: { ok: false, error: "invalid_client_id" } }),
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ method: "POST" }], outcome: { error: { kind: "response", status: 200, body: { ok: false, error: "invalid_client_id" } } } },
    compiles: 'const r = await client.clientCredentials(); return !r.ok && r.error.kind === "response" ? r.error.body.error : undefined;',
  },
  {
    quirk: "errors sent with status 200, by a field's presence",
    table: "issue 13",
    examples: "`{\"error\": \"invalid_client\"}` with 200",
    spec: doc({ body: CREDENTIALS, response: { ...RFC_TOKEN, error: { type: "string" } }, errors: false }),
    config: { response: { errorWhen: { field: "error", present: true, code: "error" } } },
    serve: () => ({ status: 200, body: { error: "invalid_client" } }),
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ method: "POST" }], outcome: { error: { kind: "response", status: 200, body: { error: "invalid_client" } } } },
  },
  {
    quirk: "errors sent with status 200, by a set of values",
    table: "issue 13",
    examples: "`{\"status\": \"failed\"}`",
    spec: doc({ body: CREDENTIALS, response: { ...RFC_TOKEN, status: { type: "string", enum: ["ok", "error", "failed"] }, message: { type: "string" } } }),
    config: { response: { errorWhen: { field: "status", in: ["error", "failed"], code: "message" } } },
    serve: () => ({ status: 200, body: { status: "failed", message: "expired_code" } }),
    steps: [{ call: "clientCredentials" }],
    // The code is read from the member `code` names: the message says it.
    want: { requests: [{ method: "POST" }], outcome: { error: { kind: "response", status: 200, message: "token endpoint answered 200 (expired_code)", body: { status: "failed", message: "expired_code" } } } },
  },
  {
    quirk: "a form-encoded body served as application/json",
    table: "issue 13",
    examples: "GitHub",
    spec: doc({ body: { ...CREDENTIALS, code: { type: "string" } }, grantTypes: ["authorization_code"] }),
    config: { response: { encoding: "form" } },
    serve: () => ({ status: 200, headers: { "Content-Type": "application/json; charset=utf-8" }, body: "access_token=gho_16C7e42F292c&scope=repo%2Cgist&token_type=bearer" }),
    steps: [{ call: "authorizationCode", params: { code: "c1" } }],
    want: { requests: [{ method: "POST" }], outcome: { token: { accessToken: "gho_16C7e42F292c", scope: "repo,gist", tokenType: "bearer" } } },
  },
  {
    quirk: "a response form-encoded unless Accept: application/json is sent",
    table: "issue 13",
    examples: "GitHub",
    // The documented success is JSON, so every request asks for JSON.
    spec: doc({ body: { ...CREDENTIALS, code: { type: "string" } }, grantTypes: ["authorization_code"] }),
    serve: (request) =>
      String(request.headers.accept).includes("application/json")
        ? { status: 200, body: { access_token: "gho_json", token_type: "bearer", scope: "repo" } }
        : { status: 200, headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "access_token=gho_form&token_type=bearer" },
    steps: [{ call: "authorizationCode", params: { code: "c1" } }],
    want: { requests: [{ headers: { accept: /^application\/json/ } }], outcome: { token: { accessToken: "gho_json" } } },
  },
  {
    quirk: "`issued_at` in milliseconds plus a lifetime the provider documents but does not send",
    table: "issue 13",
    examples: "Salesforce",
    spec: doc({ body: CREDENTIALS, response: { access_token: { type: "string" }, issued_at: { type: "string" }, instance_url: { type: "string" } } }),
    config: { expiry: { kind: "issued-at", field: "issued_at", unit: "ms", lifetimeSeconds: 7200 } },
    serve: () => ({ status: 200, body: { access_token: "00D", issued_at: String(START - 60_000), instance_url: "https://acme.my.salesforce.com" } }),
    steps: [{ call: "clientCredentials" }],
    want: { requests: [{ method: "POST" }], outcome: { token: { accessToken: "00D", expiresAt: START - 60_000 + 7_200_000 } } },
  },
];
