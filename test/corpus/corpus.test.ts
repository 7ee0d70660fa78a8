/**
 * The corpus: 18 token-endpoint specs published by real providers
 * (test/corpus/specs/, see its README.md and INDEX.md). One row per spec says
 * what the generator must do with it:
 *
 * - `generated`: it generates; all generated output type-checks in one
 *   strict tsc program; and for every grant in the generator's model, the
 *   generated client gets a token from a loopback server that validates each
 *   request against the spec's own request schema and parameters and answers
 *   with a body sampled from the spec's documented success response.
 * - `refused`: it fails with a SpecError of that code whose message matches.
 *
 * To flip a row: put `<spec>.tokenwright.json` beside the spec if it needs
 * one, change the row to `{ file, expect: "generated" }`, and add `params`
 * (per grant type) or `clientOptions` only when sampling from the spec cannot
 * produce a request the spec accepts. Nothing provider-specific belongs
 * anywhere but in these rows.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderModel } from "../../generator/model/index.js";
import { providerNames } from "../../generator/emit/names.js";
import { corpusSpecFiles } from "./documents.js";
import {
  createGeneratedClient,
  describeOutcome,
  diagnosticsIn,
  generateOne,
  modelOf,
  operationModel,
  planRow,
  startCorpusServer,
  typecheckTree,
  type CorpusRow,
  type Checked,
  type CorpusServer,
  type GrantMethod,
  type Outcome,
  type RowPlan,
} from "./harness.js";

const ROWS: readonly CorpusRow[] = [
  {
    file: "ably-platform.yaml",
    expect: "refused",
    code: "no_token_operation",
    message: /no token operation: .*POST \/keys\/\{keyName\}\/requestToken \(its request has no grant_type field/,
    note: "custom HMAC-signed TokenRequest; no grant_type, 2XX success, ms-epoch expiry",
  },
  { file: "amadeus-authorization.json", expect: "generated", grants: ["client_credentials"] },
  { file: "autodesk-aps-authentication.yaml", expect: "generated", grants: ["client_credentials", "authorization_code", "refresh_token"] },
  { file: "aws-sso-oidc.yaml", expect: "generated" },
  {
    file: "azure-containerregistry.json",
    expect: "generated",
    grants: ["refresh_token", "password"],
    operations: ["token", "exchange"],
    note: "two token operations, no config choosing one; exchange answers a refresh token only",
  },
  { file: "box-platform.json", expect: "generated" },
  { file: "discord-api.json", expect: "generated" },
  {
    file: "globalpayments-accesstoken.yaml",
    expect: "refused",
    code: "no_access_token",
    message: /#\/paths\/~1accesstoken\/post\/responses\/200\/content\/application~1json\/schema: the success response has no "access_token" property/,
    note: "the secret is derived (SHA512(nonce + app_key)); token is `token`",
  },
  { file: "hubspot-oauth-v1.yaml", expect: "generated", grants: ["authorization_code", "refresh_token"] },
  {
    file: "interledger-openpayments-auth.yaml",
    expect: "refused",
    code: "external_ref",
    message: /\$ref "\.\/schemas\.yaml#\/components\/schemas\/[^"]+" names a file that is not there/,
    note: "negative case: GNAP, not OAuth; its second file is not in the corpus",
  },
  { file: "lyft-api.yaml", expect: "generated" },
  { file: "paypal-catalog-products.json", expect: "generated" },
  { file: "personio-auth.yaml", expect: "generated" },
  {
    file: "shopware-admin-token.fragment.json",
    expect: "refused",
    code: "unresolved_ref",
    message: /\/responses\/400: \$ref "#\/components\/responses\/400" does not resolve: nothing at \/components/,
    note: "negative case: a fragment of a generated spec, with dangling $refs",
  },
  { file: "slack-web-api.json", expect: "generated" },
  { file: "twilio-oauth-v1.yaml", expect: "generated" },
  { file: "vipps-accesstoken.yaml", expect: "generated" },
  { file: "xero-identity.yaml", expect: "generated" },
];

const CORPUS_SIZE = 18;

// The models of the rows expected to generate, read now so each grant gets a test of its own.
const models = new Map<string, ProviderModel | Error>();
await Promise.all(
  ROWS.filter((row) => row.expect === "generated").map(async (row) => {
    try {
      models.set(row.file, await modelOf(row.file));
    } catch (error) {
      models.set(row.file, error instanceof Error ? error : new Error(String(error)));
    }
  }),
);

let root = "";
const outcomes = new Map<string, Outcome>();
let checked: Checked = { files: [], diagnostics: [] };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "tokenwright-corpus-"));
  // One generate run per spec, so a refusal (which leaves the folder as it was) hides nothing; all into one
  // folder, as `tokenwright generate --spec a --out out` then `--spec b` would, so the providers share one
  // runtime and the type check stays small. Sequential: generation is CPU-bound on this thread, and
  // interleaving the runs measured slower than running them one after another.
  for (const row of ROWS) outcomes.set(row.file, await generateOne(row.file, join(root, "out")));
  // One strict program over everything generated.
  if ([...outcomes.values()].some((o) => o.kind === "generated")) checked = typecheckTree(root);
}, 120_000);

afterAll(async () => {
  const all = [...outcomes.values()];
  const generated = all.filter((o) => o.kind === "generated").length;
  const refused = all.filter((o) => o.kind === "refused").length;
  console.log(`corpus: ${generated} generated, ${refused} refused`);
  if (root !== "") await rm(root, { recursive: true, force: true });
});

it("has one row per corpus spec", async () => {
  expect(ROWS.map((row) => row.file)).toEqual(await corpusSpecFiles());
  expect(ROWS).toHaveLength(CORPUS_SIZE);
});

for (const row of ROWS) {
  describe(row.file, () => {
    if (row.expect === "refused") {
      it(`is refused: ${row.code}`, () => {
        const outcome = outcomes.get(row.file);
        if (outcome?.kind !== "refused") throw new Error(`expected a refusal (${row.code}), got: ${describeOutcome(outcome)}`);
        expect(outcome.problems, "one problem, for this spec").toHaveLength(1);
        const [problem] = outcome.problems;
        expect(problem?.code).toBe(row.code);
        expect(problem?.message).toMatch(row.message);
      });
      return;
    }

    it("generates", () => {
      const outcome = outcomes.get(row.file);
      if (outcome?.kind !== "generated") throw new Error(`expected it to generate, got: ${describeOutcome(outcome)}`);
      expect(outcome.providers).toHaveLength(1);
    });

    it("type-checks with --strict --noUncheckedIndexedAccess --exactOptionalPropertyTypes", () => {
      const outcome = outcomes.get(row.file);
      if (outcome?.kind !== "generated") throw new Error(`nothing to check: ${describeOutcome(outcome)}`);
      const folder = `out/${outcome.providers[0] ?? ""}`;
      expect(checked.files).toContain(`${folder}/client.ts`);
      // Its own files, the shared runtime, and anything without a file.
      expect([...new Set([...diagnosticsIn(checked, folder), ...diagnosticsIn(checked, "out/runtime")])]).toEqual([]);
    });

    const model = models.get(row.file);
    if (model === undefined || model instanceof Error) {
      it("has a model to test against", () => {
        throw model ?? new Error("no model was built");
      });
      return;
    }

    if (row.grants !== undefined) {
      it(`offers the grants ${row.grants.join(", ")}`, () => {
        expect(model.grants.map((grant) => grant.grantType)).toEqual(row.grants);
      });
    }

    it(`has the token operations ${row.operations?.join(", ") ?? "(one)"}`, () => {
      const names = row.operations === undefined ? [] : row.operations;
      expect([model, ...(model.otherOperations ?? [])].flatMap((o) => (o.operation.name === undefined ? [] : [o.operation.name]))).toEqual(names);
    });

    // Every other token operation is held to the spec like the primary one, through the same generated client.
    for (const other of model.otherOperations ?? []) {
      const seen = operationModel(model, other);
      describe(`its ${other.operation.name} operation against a loopback server holding requests to the spec's own schemas`, () => {
        let plan: RowPlan | undefined;
        let server: CorpusServer | undefined;
        let client: Record<string, unknown> | undefined;
        let setupError: unknown;

        beforeAll(async () => {
          const outcome = outcomes.get(row.file);
          if (outcome?.kind !== "generated") return;
          try {
            plan = await planRow(row, seen, root);
            server = await startCorpusServer(plan);
            client = await createGeneratedClient(outcome.outDir, plan, server.url, row.clientOptions);
          } catch (error) {
            setupError = error;
          }
        }, 60_000);

        afterAll(async () => {
          await server?.close();
        });

        for (const grant of other.grants) {
          const methodName = providerNames(model).method(grant);
          it(`${methodName}() gets the token (${grant.grantType})`, async () => {
            if (setupError !== undefined) throw setupError;
            if (plan === undefined || server === undefined || client === undefined) throw new Error(`not generated: ${describeOutcome(outcomes.get(row.file))}`);
            const method = client[methodName];
            if (typeof method !== "function") throw new Error(`the generated client has no ${methodName}()`);
            const params = plan.grants.find((g) => g.grant === grant)?.params ?? {};
            server.expectGrant(grant);
            const before = server.exchanges.length;
            const result = await (method as GrantMethod).call(client, params);
            expect(server.exchanges.slice(before).map((e) => e.problems), `requests sent with params ${JSON.stringify(params)}`).toEqual([[]]);
            if (!result.ok) throw new Error(`expected a token, got ${result.error.kind ?? "an error"}: ${result.error.message ?? ""}`);
            expect(result.token.accessToken).toBe(plan.accessToken);
          });
        }
      });
    }

    // A scheme-only spec documents no token operation: requests are held to the one the generator wrote from it.
    const heldTo =
      model.operation.synthesisedFrom === undefined ? "the spec's own schemas" : `the operation synthesised from ${model.operation.synthesisedFrom}`;
    describe(`against a loopback server holding requests to ${heldTo}`, () => {
      let plan: RowPlan | undefined;
      let server: CorpusServer | undefined;
      let client: Record<string, unknown> | undefined;
      let setupError: unknown;

      beforeAll(async () => {
        const outcome = outcomes.get(row.file);
        if (outcome?.kind !== "generated") return;
        try {
          plan = await planRow(row, model, root);
          server = await startCorpusServer(plan);
          client = await createGeneratedClient(outcome.outDir, plan, server.url, row.clientOptions);
        } catch (error) {
          setupError = error;
        }
      }, 60_000);

      afterAll(async () => {
        await server?.close();
      });

      for (const grant of model.grants) {
        it(`${grant.methodName}() gets the token (${grant.grantType})`, async () => {
          if (setupError !== undefined) throw setupError;
          if (plan === undefined || server === undefined || client === undefined) throw new Error(`not generated: ${describeOutcome(outcomes.get(row.file))}`);
          const method = client[grant.methodName];
          if (typeof method !== "function") throw new Error(`the generated client has no ${grant.methodName}()`);
          const params = plan.grants.find((g) => g.grant === grant)?.params ?? {};
          server.expectGrant(grant);
          const before = server.exchanges.length;
          const result = await (method as GrantMethod).call(client, params);
          const exchanges = server.exchanges.slice(before);
          expect(exchanges.map((e) => e.problems), `requests sent with params ${JSON.stringify(params)}`).toEqual([[]]);
          if (!result.ok) throw new Error(`expected a token, got ${result.error.kind ?? "an error"}: ${result.error.message ?? ""}`);
          expect(result.token.accessToken).toBe(plan.accessToken);
        });
      }
    });
  });
}

it("every row's expectation holds", () => {
  const all = [...outcomes.values()];
  const generated = all.filter((o) => o.kind === "generated").length;
  const refused = all.filter((o) => o.kind === "refused").length;
  const crashed = ROWS.filter((row) => outcomes.get(row.file)?.kind === "crashed").map((row) => `${row.file}: ${describeOutcome(outcomes.get(row.file))}`);
  expect(crashed, "specs that neither generated nor were refused with a SpecError").toEqual([]);
  expect(generated + refused).toBe(CORPUS_SIZE);
  expect(generated).toBeGreaterThanOrEqual(ROWS.filter((row) => row.expect === "generated").length);
  for (const row of ROWS) expect(outcomes.get(row.file)?.kind, row.file).toBe(row.expect);
});
