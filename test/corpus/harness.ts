/**
 * Machinery for test/corpus/corpus.test.ts: generate one corpus spec into a
 * folder of its own, and exercise a generated client against a loopback
 * server that holds every request to the spec's OWN schemas and answers with
 * a body sampled from the spec's documented success response.
 *
 * Nothing here knows a provider: what a client needs is read from the
 * generator's model of the spec (grants, their fields, client
 * authentication, where the access token is in the success body), what a
 * request must look like from the spec, and anything else comes from the
 * row of the table.
 */
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Ajv } from "ajv";
import type * as AjvCoreModule from "ajv/dist/core.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import type { FormatsPlugin } from "ajv-formats";
import { generate } from "../../generator/pipeline/generate.js";
import { loadAndModel, specInputFiles } from "../../generator/pipeline/model-providers.js";
import { SpecError, type SpecErrorCode } from "../../generator/load/index.js";
import type { FieldModel, GrantModel, ProviderModel, TokenOperationModel } from "../../generator/model/index.js";
import { decideClientAuth } from "../../generator/runtime/client-auth.js";
import { typecheck, type TypecheckResult } from "../generator/helpers.js";
import { startTokenServer, type RecordedRequest, type TokenServer, type TokenServerReply } from "../support/loopback.js";
import { propertyAllows, resolveLocalRef, sampleFromSchema, type JsonValue } from "../support/sample-from-schema.js";
import { formatAjvErrors, type OperationSchemas, type SpecSchemas } from "../support/spec-schema.js";
import { CORPUS_DIR, isRecord, readCorpusDocument, specSchemasFor } from "./documents.js";

// ---------------------------------------------------------------------------
// The table's rows

interface RowBase {
  /** The spec's file name in test/corpus/specs/. */
  readonly file: string;
  /** Why the row is as it is (shown in the test name when set). */
  readonly note?: string;
}

/** A spec the generator must turn into a client that works against the spec's own schemas. */
export interface GeneratedRow extends RowBase {
  readonly expect: "generated";
  /** When set, the grant types the model must offer, in its order. */
  readonly grants?: readonly string[];
  /** When set, the names of the model's token operations, the primary first (absent: one operation). */
  readonly operations?: readonly string[];
  /** Per grant type: params to send instead of (or besides) the sampled required ones. */
  readonly params?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Extra options for `create<Provider>Client` (after `baseUrl`, `clientId`, `clientSecret`). */
  readonly clientOptions?: Readonly<Record<string, unknown>>;
  /** Client credentials, when the spec constrains them (default {@link CLIENT_ID} / {@link CLIENT_SECRET}). */
  readonly clientId?: string;
  readonly clientSecret?: string;
}

/** A spec the generator must refuse, naming the reason. */
export interface RefusedRow extends RowBase {
  readonly expect: "refused";
  readonly code: SpecErrorCode;
  /** Matched against the whole SpecError message (`file#pointer: detail`). */
  readonly message: RegExp;
}

export type CorpusRow = GeneratedRow | RefusedRow;

export const CLIENT_ID = "corpus-client-id";
export const CLIENT_SECRET = "corpus-client-secret";
/**
 * The access token the loopback servers hand out, which the client must
 * return exactly: this, or when the spec constrains the field (`format:
 * byte`, a pattern) its base64, or else the value sampled from the schema.
 */
export const ACCESS_TOKEN = "corpus-access-token-0123456789";

// ---------------------------------------------------------------------------
// Generation

export type Outcome =
  | { readonly kind: "generated"; readonly outDir: string; readonly providers: readonly string[]; readonly ms: number }
  | { readonly kind: "refused"; readonly problems: readonly { readonly code: SpecErrorCode; readonly message: string }[]; readonly ms: number }
  /** Anything other than a SpecError: a bug in the generator (or in this harness). */
  | { readonly kind: "crashed"; readonly error: string; readonly ms: number };

/** Runs the generator (in process, as the CLI does) on one corpus spec into `outDir`. */
export async function generateOne(file: string, outDir: string): Promise<Outcome> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  try {
    const report = await generate({
      specs: [join(CORPUS_DIR, file)],
      specsDir: CORPUS_DIR,
      outDir,
      check: false,
      defaultRun: false,
      log: () => undefined,
    });
    return { kind: "generated", outDir, providers: report.written, ms: ms() };
  } catch (error) {
    const problems = isRecord(error) && Array.isArray(error["problems"]) ? (error["problems"] as unknown[]) : error instanceof SpecError ? [error] : [];
    if (problems.length > 0 && problems.every((p) => p instanceof SpecError)) {
      return { kind: "refused", problems: (problems as SpecError[]).map((p) => ({ code: p.code, message: p.message })), ms: ms() };
    }
    return { kind: "crashed", error: error instanceof Error ? (error.stack ?? error.message) : String(error), ms: ms() };
  }
}

export function describeOutcome(outcome: Outcome | undefined): string {
  if (outcome === undefined) return "not run";
  switch (outcome.kind) {
    case "generated":
      return `generated ${outcome.providers.join(", ")}`;
    case "refused":
      return `refused: ${outcome.problems.map((p) => `${p.code} ${p.message}`).join("; ")}`;
    case "crashed":
      return `crashed: ${outcome.error}`;
  }
}

// ---------------------------------------------------------------------------
// Type checking

export type Checked = TypecheckResult;

/**
 * Type-checks every `.ts` below `root` in one program, as a consumer would,
 * with the options of test/generator/helpers.ts `typecheck` plus
 * `skipLibCheck`: generated files are checked in full, TypeScript's own
 * libraries are not.
 */
export function typecheckTree(root: string): Checked {
  return typecheck(root, { skipLibCheck: true });
}

/** Diagnostics of files below `folder`, and those of no file at all. */
export function diagnosticsIn(checked: Checked, folder: string): string[] {
  return checked.diagnostics.filter((d) => d.startsWith(`${folder}/`) || !/^[^ ]+\(\d+,\d+\):/.test(d));
}

// ---------------------------------------------------------------------------
// What a loopback test of one generated row needs

export interface GrantCase {
  readonly grant: GrantModel;
  /** The params the grant method is called with. */
  readonly params: Record<string, unknown>;
}

export interface RowPlan {
  readonly model: ProviderModel;
  /** Where the request/response schemas come from: the spec, or (synthesised operation) the generator's slice. */
  readonly schemaSource: "spec" | "synthesised";
  readonly schemas: SpecSchemas;
  readonly operation: OperationSchemas;
  readonly grants: readonly GrantCase[];
  /** The status, media type and body the server answers a valid request with. */
  readonly reply: { readonly status: number; readonly mediaType: string; readonly body: JsonValue; readonly encoded: string };
  /** The access token in that body (see {@link ACCESS_TOKEN}). */
  readonly accessToken: string;
  readonly clientId: string;
  readonly clientSecret: string | undefined;
}

/** The generator's model of a row's spec (with its config), as generate builds it. */
export async function modelOf(file: string): Promise<ProviderModel> {
  return loadAndModel(specInputFiles(join(CORPUS_DIR, file)));
}

export async function planRow(row: GeneratedRow, model: ProviderModel, tempDir: string): Promise<RowPlan> {
  const synthesised = model.operation.synthesisedFrom !== undefined;
  // A synthesised operation is not in the spec: the only schema for it is the generator's own slice.
  const document = synthesised ? structuredClone(model.wireDocument) as Record<string, unknown> : (await readCorpusDocument(row.file, [model.operation.path])).document;
  const schemas = await specSchemasFor(document, tempDir, row.file);
  const operation = schemas.operation(model.operation.path, model.operation.method);
  const rawOperation = operationIn(document, model.operation.path, model.operation.method);
  const bodySchema = requestBodySchema(document, rawOperation, model.request.mediaType);
  const parameters = parametersOf(schemas.document, model.operation.path, model.operation.method);
  const grants = model.grants.map((grant) => ({
    grant,
    params: { ...grantParams(document, grant, bodySchema, parameters), ...(row.params?.[grant.grantType] ?? {}) },
  }));
  return {
    model,
    schemaSource: synthesised ? "synthesised" : "spec",
    schemas,
    operation,
    grants,
    ...successReply(document, rawOperation, model, operation),
    clientId: row.clientId ?? CLIENT_ID,
    clientSecret: model.client.clientSecret === "absent" ? undefined : (row.clientSecret ?? CLIENT_SECRET),
  };
}

/**
 * Another token operation seen as a model of its own (that operation primary, no others), so the plan, the loopback
 * server and the checks that hold a primary operation to the spec hold this one to it too.
 */
export function operationModel(model: ProviderModel, other: TokenOperationModel): ProviderModel {
  const { otherOperations: _others, ...rest } = model;
  return { ...rest, operation: other.operation, request: other.request, grants: other.grants, success: other.success, errors: other.errors };
}

/** The fields a grant call must carry: its required ones, and those of its first credential set. */
function requiredFields(grant: GrantModel): FieldModel[] {
  const fields = grant.fields.filter((field) => field.required);
  const [alternative] = grant.alternatives;
  if (alternative) {
    const marked = alternative.fields.filter((field) => field.required);
    fields.push(...(marked.length > 0 ? marked : alternative.fields));
  }
  return fields;
}

function grantParams(document: unknown, grant: GrantModel, bodySchema: unknown, parameters: readonly Parameter[]): Record<string, unknown> {
  const fields = requiredFields(grant);
  if (fields.length === 0) return {};
  // The body the spec describes for this grant (its oneOf/anyOf variant when it has several).
  const body =
    bodySchema === undefined
      ? {}
      : sampleFromSchema(document, bodySchema, {
          allProperties: true,
          direction: "request",
          ...(grant.grantField !== undefined ? { chooseVariant: propertyAllows(grant.grantField, grant.grantType) } : {}),
        });
  const params: Record<string, unknown> = {};
  for (const field of fields) {
    const parameter = parameters.find((p) => p.name === field.name && (field.in === undefined || p.in === field.in));
    if (field.in === undefined && isRecord(body) && body[field.name] !== undefined) params[field.name] = body[field.name];
    else if (parameter?.schema !== undefined) params[field.name] = sampleFromSchema(document, parameter.schema, { direction: "request" });
    else {
      const value = field.enumValues?.find((v) => v !== null) ?? field.knownValues?.[0] ?? `sample-${field.name}`;
      params[field.name] = field.isArray ? [value] : value;
    }
  }
  return params;
}

function successReply(document: unknown, rawOperation: Record<string, unknown>, model: ProviderModel, operation: OperationSchemas): Pick<RowPlan, "reply" | "accessToken"> {
  const { success } = model;
  const status = statusNumber(success.typedStatus);
  const mediaType = success.mediaType.includes("*") ? "application/json" : success.mediaType;
  const responses = isRecord(rawOperation["responses"]) ? rawOperation["responses"] : {};
  const response = deref(document, responses[success.typedKey]);
  const content = isRecord(response) && isRecord(response["content"]) ? response["content"] : {};
  const media = deref(document, content[success.mediaType]);
  const schema = isRecord(media) ? media["schema"] : undefined;
  const sampled = schema === undefined ? {} : sampleFromSchema(document, schema, { allProperties: true, direction: "response" });
  const tokenPath = pathOf(success.tokenFields.accessToken);
  const asSampled = valueAt(sampled, tokenPath);
  const candidates = [ACCESS_TOKEN, Buffer.from(ACCESS_TOKEN).toString("base64"), ...(typeof asSampled === "string" ? [asSampled] : [])];
  let body: JsonValue = sampled;
  let accessToken = ACCESS_TOKEN;
  let errors: string[] = [];
  for (const candidate of candidates) {
    body = withValueAt(sampled, tokenPath, candidate);
    const check = operation.validateResponse(success.typedKey, body, success.mediaType);
    accessToken = candidate;
    errors = check.ok ? [] : check.errors;
    if (check.ok) break;
  }
  if (errors.length > 0) {
    throw new Error(`the sampled ${success.typedKey} body does not conform to the spec's schema:\n  ${errors.join("\n  ")}\nbody: ${JSON.stringify(body)}`);
  }
  const errorWhen = success.errorInSuccess;
  if (errorWhen !== undefined && "equals" in errorWhen && JSON.stringify(valueAt(body, pathOf(errorWhen.field))) === JSON.stringify(errorWhen.equals)) {
    throw new Error(`the sampled success body is what the model calls an error (${JSON.stringify(errorWhen)}); give the row a params/response override`);
  }
  const encoded = success.responseEncoding === "form" ? formEncodeFlat(body) : JSON.stringify(body);
  return {
    reply: { status, mediaType: success.responseEncoding === "form" ? "application/x-www-form-urlencoded" : mediaType, body, encoded },
    accessToken,
  };
}

function statusNumber(status: number | string): number {
  if (typeof status === "number") return status;
  const range = /^([1-5])XX$/i.exec(status);
  return range?.[1] !== undefined ? Number(range[1]) * 100 : 200;
}

// ---------------------------------------------------------------------------
// The generated client

type TokenOutcome =
  | { readonly ok: true; readonly token: { readonly accessToken: string; readonly raw: unknown } }
  | { readonly ok: false; readonly error: { readonly kind?: string; readonly message?: string; readonly status?: number; readonly body?: unknown } };

export type GrantMethod = (params: Record<string, unknown>) => Promise<TokenOutcome>;

/** Imports a generated `client.ts` (vitest compiles it) and creates a client for the loopback server. */
export async function createGeneratedClient(outDir: string, plan: RowPlan, baseUrl: string, extraOptions: Readonly<Record<string, unknown>> = {}): Promise<Record<string, unknown>> {
  const module = (await import(pathToFileURL(join(outDir, plan.model.provider, "client.ts")).href)) as Record<string, unknown>;
  const wanted = `create${plan.model.typePrefix}Client`;
  const factories = Object.keys(module).filter((name) => /^create\w*Client$/.test(name) && typeof module[name] === "function");
  const name = factories.includes(wanted) ? wanted : factories.length === 1 ? factories[0] : undefined;
  if (name === undefined) throw new Error(`${plan.model.provider}/client.ts exports no ${wanted} (exports: ${Object.keys(module).join(", ")})`);
  const factory = module[name] as (options: Record<string, unknown>) => Record<string, unknown>;
  return factory({
    baseUrl,
    clientId: plan.clientId,
    ...(plan.clientSecret !== undefined ? { clientSecret: plan.clientSecret } : {}),
    ...extraOptions,
  });
}

// ---------------------------------------------------------------------------
// The loopback server

export interface Exchange {
  readonly request: RecordedRequest;
  /** Every way the request departs from the spec (and from the model's client authentication). */
  readonly problems: readonly string[];
  readonly replyStatus: number;
}

export interface CorpusServer {
  readonly url: string;
  readonly exchanges: readonly Exchange[];
  /** The grant the next requests are for (its relaxed fields and client authentication apply). */
  expectGrant(grant: GrantModel): void;
  close(): Promise<void>;
}

/** Path of the token endpoint the discovery document names, for a model that discovers it. */
const DISCOVERED_TOKEN_PATH = "/corpus/discovered-token";

export async function startCorpusServer(plan: RowPlan): Promise<CorpusServer> {
  const { model, operation } = plan;
  const ajv = createAjv(plan.schemas.openapiVersion.startsWith("3.1"));
  const parameters = parametersOf(plan.schemas.document, model.operation.path, model.operation.method);
  const discovery = model.operation.discovery;
  const tokenPath = discovery !== undefined ? DISCOVERED_TOKEN_PATH : (model.operation.requestPath ?? model.operation.path.replace(/#.*$/, ""));
  const exchanges: Exchange[] = [];
  let grant: GrantModel | undefined;
  let server: TokenServer | undefined;

  const handle = (request: RecordedRequest): TokenServerReply => {
    const url = new URL(request.url, "http://127.0.0.1");
    if (discovery !== undefined && request.method === "GET" && url.pathname === pathOnly(discovery)) {
      return { status: 200, body: { issuer: server?.url ?? "", token_endpoint: `${server?.url ?? ""}${DISCOVERED_TOKEN_PATH}` } };
    }
    const problems: string[] = [];
    const expectedMethod = model.operation.method.toUpperCase();
    if (request.method !== expectedMethod) problems.push(`method ${request.method}, the spec says ${expectedMethod}`);
    const pathParams = matchPath(tokenPath, url.pathname);
    if (pathParams === undefined) problems.push(`path ${url.pathname}, the spec says ${tokenPath}`);
    const contentType = header(request, "content-type");
    // The body, held to the spec's request schema (amended only by the model's stated relaxations).
    const check = operation.validateRequest(contentType, request.body);
    if (!check.ok) {
      const excused = new Set(grant?.relaxedRequired ?? []);
      for (const error of check.errors) {
        const missing = /^(?:\[[^\]]+\] )?\/ must have required property '([^']+)'$/.exec(error)?.[1];
        if (missing === undefined || !excused.has(missing)) problems.push(`body: ${error}`);
      }
    }
    const sent = { body: decodeBody(contentType, request.body), query: url.searchParams, headers: request, path: pathParams ?? {} };
    problems.push(...parameterProblems(ajv, parameters, sent));
    if (grant?.grantField !== undefined) {
      const value = fieldValue(sent, grant.grantField);
      if (value !== grant.grantType) problems.push(`${grant.grantField} is ${JSON.stringify(value)}, expected ${JSON.stringify(grant.grantType)}`);
    }
    if (grant !== undefined) problems.push(...clientAuthProblems(grant, plan, request, sent));
    const reply: TokenServerReply =
      problems.length > 0
        ? { status: 400, body: { error: "invalid_request", error_description: problems.join("; ") } }
        : { status: plan.reply.status, headers: { "Content-Type": plan.reply.mediaType }, body: plan.reply.encoded };
    exchanges.push({ request, problems, replyStatus: reply.status });
    return reply;
  };

  server = await startTokenServer(handle);
  const started = server;
  return {
    url: started.url,
    exchanges,
    expectGrant(next) {
      grant = next;
    },
    close: () => started.close(),
  };
}

// ---------------------------------------------------------------------------
// Request checks

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required: boolean;
  readonly schema: unknown;
}

interface Sent {
  readonly body: Record<string, unknown>;
  readonly query: URLSearchParams;
  readonly headers: RecordedRequest;
  readonly path: Record<string, string>;
}

/** Header parameters OpenAPI says to ignore (3.0/3.1 §4.8.12.1): the HTTP layer owns them. */
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"]);

/** Query, header and path parameters of an operation (path-item ones overridden by the operation's). */
function parametersOf(document: unknown, path: string, method: string): Parameter[] {
  const pathItem = deref(document, isRecord(document) && isRecord(document["paths"]) ? document["paths"][path] : undefined);
  if (!isRecord(pathItem)) return [];
  const operation = deref(document, pathItem[method]);
  const byKey = new Map<string, Parameter>();
  for (const list of [pathItem["parameters"], isRecord(operation) ? operation["parameters"] : undefined]) {
    if (!Array.isArray(list)) continue;
    for (const item of list) {
      const parameter = deref(document, item);
      if (!isRecord(parameter) || typeof parameter["name"] !== "string" || typeof parameter["in"] !== "string") continue;
      if (parameter["in"] === "header" && IGNORED_HEADERS.has(parameter["name"].toLowerCase())) continue;
      if (parameter["in"] === "cookie") continue;
      byKey.set(`${parameter["in"]} ${parameter["in"] === "header" ? parameter["name"].toLowerCase() : parameter["name"]}`, {
        name: parameter["name"],
        in: parameter["in"],
        required: parameter["required"] === true || parameter["in"] === "path",
        schema: parameter["schema"],
      });
    }
  }
  return [...byKey.values()];
}

function parameterProblems(ajv: AjvCore, parameters: readonly Parameter[], sent: Sent): string[] {
  const problems: string[] = [];
  for (const parameter of parameters) {
    let values: string[];
    if (parameter.in === "query") values = sent.query.getAll(parameter.name);
    else if (parameter.in === "header") {
      const value = header(sent.headers, parameter.name.toLowerCase());
      values = value === undefined ? [] : [value];
    } else if (parameter.in === "path") {
      const value = sent.path[parameter.name];
      values = value === undefined ? [] : [value];
    } else continue;
    if (values.length === 0) {
      if (parameter.required) problems.push(`${parameter.in} parameter ${parameter.name} is required but was not sent`);
      continue;
    }
    if (!isRecord(parameter.schema)) continue;
    const value = coerceParameter(parameter.schema, values);
    let valid: boolean;
    let errors: string[] = [];
    try {
      const validate = ajv.compile(parameter.schema);
      valid = validate(value) === true;
      if (!valid) errors = formatAjvErrors(validate.errors);
    } catch (error) {
      valid = false;
      errors = [`ajv could not compile the schema: ${error instanceof Error ? error.message : String(error)}`];
    }
    if (!valid) problems.push(`${parameter.in} parameter ${parameter.name}=${JSON.stringify(value)}: ${errors.join(", ")}`);
  }
  return problems;
}

/** A parameter's text as the type its schema declares (simple style; explode for query arrays). */
function coerceParameter(schema: Record<string, unknown>, values: readonly string[]): unknown {
  const types = schemaTypes(schema);
  if (types.has("array")) {
    const items = isRecord(schema["items"]) ? schema["items"] : {};
    const parts = values.length === 1 ? (values[0] ?? "").split(",") : values;
    return parts.map((part) => coerceScalar(schemaTypes(items), part));
  }
  return coerceScalar(types, values[0] ?? "");
}

function coerceScalar(types: ReadonlySet<string>, value: string): unknown {
  if (types.has("string") || types.size === 0) return value;
  if ((types.has("integer") || types.has("number")) && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  if (types.has("boolean") && (value === "true" || value === "false")) return value === "true";
  return value;
}

function schemaTypes(schema: Record<string, unknown>): Set<string> {
  const types = new Set<string>();
  const type = schema["type"];
  if (typeof type === "string") types.add(type);
  if (Array.isArray(type)) for (const t of type) if (typeof t === "string") types.add(t);
  for (const keyword of ["anyOf", "oneOf", "allOf"]) {
    const list = schema[keyword];
    if (Array.isArray(list)) for (const branch of list) if (isRecord(branch)) for (const t of schemaTypes(branch)) types.add(t);
  }
  return types;
}

/** A field's value wherever it was sent: body, query, a header, the path. */
function fieldValue(sent: Sent, name: string): unknown {
  if (name in sent.body) return sent.body[name];
  if (sent.query.has(name)) return sent.query.get(name);
  const fromHeader = header(sent.headers, name.toLowerCase());
  if (fromHeader !== undefined) return fromHeader;
  return sent.path[name];
}

/** The model's client authentication for the grant, checked on the wire. */
function clientAuthProblems(grant: GrantModel, plan: RowPlan, request: RecordedRequest, sent: Sent): string[] {
  // What the runtime decides from the model's facts (no clientAuth option; discovery is a discovery server's to answer).
  const decision = decideClientAuth(grant.clientAuth);
  const auth = decision.kind === "decided" ? decision.rule : ({ kind: "discovered" } as const);
  const problems: string[] = [];
  const authorization = header(request, "authorization");
  const basic = decodeBasic(authorization);
  const viaBasic = auth.kind === "basic" || (auth.kind === "discovered" && plan.clientSecret !== undefined);
  if (viaBasic) {
    if (basic === undefined) problems.push(`client authentication: expected Authorization: Basic, got ${authorization === undefined ? "none" : JSON.stringify(authorization.split(" ")[0])}`);
    else {
      if (basic.id !== plan.clientId) problems.push("client authentication: the Basic user-id is not the client id");
      if (basic.secret !== (plan.clientSecret ?? "")) problems.push("client authentication: the Basic password is not the client secret");
    }
  } else if (auth.kind === "fields") {
    const id = fieldValue(sent, auth.idField);
    if (id !== plan.clientId) problems.push(`client authentication: ${auth.idField} is ${JSON.stringify(id)}, expected the client id`);
    if (auth.secretField !== undefined && plan.clientSecret !== undefined) {
      const secret = fieldValue(sent, auth.secretField);
      if (secret !== plan.clientSecret) problems.push(`client authentication: ${auth.secretField} is not the client secret`);
    }
  }
  return problems;
}

function decodeBasic(value: string | undefined): { id: string; secret: string } | undefined {
  const match = value === undefined ? null : /^Basic ([A-Za-z0-9+/]+={0,2})$/.exec(value);
  if (match?.[1] === undefined) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: both halves are form-encoded before joining.
  const formDecode = (text: string) => decodeURIComponent(text.replace(/\+/g, " "));
  try {
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

function decodeBody(contentType: string | undefined, body: string): Record<string, unknown> {
  const media = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (body.trim() === "") return {};
  if (media === "application/json" || media.endsWith("+json")) {
    try {
      const parsed: unknown = JSON.parse(body);
      return isRecord(parsed) ? parsed : {};
    } catch {
      return {};
    }
  }
  const params = new URLSearchParams(body);
  const out: Record<string, unknown> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    out[name] = values.length === 1 ? values[0] : values;
  }
  return out;
}

function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

function pathOnly(path: string): string {
  return new URL(path, "http://127.0.0.1").pathname;
}

/** Path parameters when `pathname` matches the templated path, else undefined. */
function matchPath(template: string, pathname: string): Record<string, string> | undefined {
  const names: string[] = [];
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(name);
      return "([^/]+)";
    })
    .join("");
  const match = new RegExp(`^${pattern}$`).exec(pathname);
  if (match === null) return undefined;
  return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? "")]));
}

// ---------------------------------------------------------------------------
// Documents and bodies

function operationIn(document: unknown, path: string, method: string): Record<string, unknown> {
  const paths = isRecord(document) ? document["paths"] : undefined;
  const pathItem = deref(document, isRecord(paths) ? paths[path] : undefined);
  const operation = isRecord(pathItem) ? deref(document, pathItem[method]) : undefined;
  if (!isRecord(operation)) throw new Error(`the document has no ${method.toUpperCase()} ${path}`);
  return operation;
}

function requestBodySchema(document: unknown, operation: Record<string, unknown>, mediaType: string | undefined): unknown {
  const body = deref(document, operation["requestBody"]);
  const content = isRecord(body) && isRecord(body["content"]) ? body["content"] : undefined;
  if (content === undefined) return undefined;
  const media = deref(document, mediaType !== undefined ? content[mediaType] : Object.values(content)[0]);
  return isRecord(media) ? media["schema"] : undefined;
}

/** Follows `$ref`s (Reference Objects) to the object they name. */
function deref(document: unknown, node: unknown): unknown {
  let current = node;
  for (let hops = 0; isRecord(current) && typeof current["$ref"] === "string" && hops < 32; hops++) current = resolveLocalRef(document, current["$ref"]);
  return current;
}

function pathOf(field: string | readonly string[]): string[] {
  return typeof field === "string" ? [field] : [...field];
}

function valueAt(body: unknown, path: readonly string[]): unknown {
  let node = body;
  for (const key of path) node = isRecord(node) ? node[key] : undefined;
  return node;
}

/** A copy of `body` with `value` at `path`, creating the objects on the way. */
function withValueAt(body: JsonValue, path: readonly string[], value: JsonValue): JsonValue {
  if (path.length === 0) return value;
  const root: { [key: string]: JsonValue } = isRecord(body) ? { ...(body as { [key: string]: JsonValue }) } : {};
  const [head, ...rest] = path as [string, ...string[]];
  root[head] = withValueAt(root[head] ?? {}, rest, value);
  return root;
}

function formEncodeFlat(body: JsonValue): string {
  const params = new URLSearchParams();
  if (isRecord(body)) for (const [key, value] of Object.entries(body)) if (value !== null && typeof value !== "object") params.append(key, String(value));
  return params.toString();
}

// ---------------------------------------------------------------------------
// ajv for parameter schemas (spec-schema validates bodies)

type AjvCore = AjvCoreModule.default;

function createAjv(is31: boolean): AjvCore {
  const ajv: AjvCore = is31 ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
  const plugin: unknown = addFormatsModule;
  const formats = (typeof plugin === "function" ? plugin : isRecord(plugin) ? plugin["default"] : undefined) as FormatsPlugin | undefined;
  if (typeof formats !== "function") throw new Error("ajv-formats: unexpected module shape");
  formats(ajv);
  return ajv;
}
