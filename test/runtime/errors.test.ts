// The redaction rule (SecretRedactor), how errors keep bodies, reasons and
// causes with it, and the safe views errors render (toJSON, util.inspect).
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  AbortedError,
  DiscoveryError,
  InvalidResponseError,
  MAX_CAUSE_DEPTH,
  MAX_ERROR_BODY_STRING_CHARS,
  MIN_SUBSTRING_SECRET_CHARS,
  NetworkError,
  REDACTED,
  RedactedCause,
  SecretRedactor,
  TimeoutError,
  TokenClientConfigError,
  TokenError,
  TokenResponseError,
  UnexpectedStatusError,
  safeCause,
  sanitizeErrorBody,
} from "../../generator/runtime/errors.js";

const LONG = "s3cr%t:Zq9! é/💡+x"; // every encoding spells it differently
const SHORT = "ab";
const redactor = new SecretRedactor([LONG, SHORT]);

const formEncode = (text: string): string => new URLSearchParams([["", text]]).toString().slice(1);
const lowerHex = (text: string): string => text.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
const base64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

describe("SecretRedactor: what is looked for", () => {
  it.each([
    { name: "raw", spelling: LONG },
    { name: "form-urlencoded", spelling: formEncode(LONG) },
    { name: "form-urlencoded, lower-case hex", spelling: lowerHex(formEncode(LONG)) },
    { name: "percent-encoded", spelling: encodeURIComponent(LONG) },
    { name: "percent-encoded, lower-case hex", spelling: lowerHex(encodeURIComponent(LONG)) },
    { name: "percent-encoded with !'()* too", spelling: encodeURIComponent(LONG).replace("!", "%21") },
    { name: "percent-encoded form encoding", spelling: encodeURIComponent(formEncode(LONG)) },
    { name: "inside a JSON string", spelling: JSON.stringify(LONG).slice(1, -1) },
    { name: "inside an ASCII-only JSON string", spelling: "s3cr%t:Zq9! \\u00e9/\\ud83d\\udca1+x" },
    { name: "inside an ASCII-only JSON string, upper-case hex", spelling: "s3cr%t:Zq9! \\u00E9/\\uD83D\\uDCA1+x" },
    { name: "base64 (padded)", spelling: base64(LONG) },
    { name: "base64url", spelling: base64(LONG).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_") },
  ])("$name", ({ spelling }) => {
    expect(spelling).not.toBe("");
    const text = `before ${spelling} after`;
    const out = redactor.text(text);
    expect(out.startsWith(`before ${REDACTED}`)).toBe(true);
    expect(out).not.toContain(spelling.replace(/=+$/, ""));
  });

  it("a secret with quotes and controls, inside a quoted message", () => {
    const secret = 'q"u\\o\u0085te';
    const r = new SecretRedactor([secret]);
    expect(r.text(`got ${JSON.stringify(secret)}`)).toBe(`got "${REDACTED}"`);
    expect(r.text('got "q\\"u\\\\o\\u0085te"')).toBe(`got "${REDACTED}"`);
  });

  it("replaces every occurrence, overlapping ones as one", () => {
    const r = new SecretRedactor(["abcabc"]);
    expect(r.text("abcabcabc x abcabc")).toBe(`${REDACTED} x ${REDACTED}`);
  });

  it("ignores empty secrets, and a redactor with none leaves text alone", () => {
    expect(new SecretRedactor(["", ""]).text("a b")).toBe("a b");
    expect(new SecretRedactor([]).hides("anything")).toBe(false);
  });

  it("reads a secret source once, on first use only", () => {
    let calls = 0;
    const r = new SecretRedactor(() => {
      calls += 1;
      return ["lazy-secret"];
    });
    expect(calls).toBe(0);
    expect(r.text("a lazy-secret")).toBe(`a ${REDACTED}`);
    expect(r.hides("lazy-secret")).toBe(true);
    expect(calls).toBe(1);
  });
});

describe("SecretRedactor: the minimum-length rule", () => {
  it(`is ${MIN_SUBSTRING_SECRET_CHARS} characters`, () => {
    expect(MIN_SUBSTRING_SECRET_CHARS).toBe(4);
  });

  it.each([
    { text: "password=ab&scope=x", want: `password=${REDACTED}&scope=x` },
    { text: '{"password":"ab"}', want: `{"password":"${REDACTED}"}` },
    { text: "bad password ab", want: `bad password ${REDACTED}` },
    { text: "ab", want: REDACTED },
    { text: "ab.", want: `${REDACTED}.` },
    { text: "about a cab, abab", want: "about a cab, abab" },
    { text: "ab1 1ab éab abé", want: "ab1 1ab éab abé" },
    { text: "💡ab💡", want: `💡${REDACTED}💡` },
  ])("a short secret only as a whole occurrence: $text", ({ text, want }) => {
    expect(new SecretRedactor([SHORT]).text(text)).toBe(want);
  });

  it("a 1-character secret does not shred the text", () => {
    const r = new SecretRedactor(["a"]);
    expect(r.text("invalid_grant: a bad grant")).toBe(`invalid_grant: ${REDACTED} bad grant`);
  });

  it("short means fewer than 4 code points: a 3-emoji secret is short, a 4-character one is redacted inside words", () => {
    expect(new SecretRedactor(["💡💡💡"]).text("x💡💡💡y")).toBe("x💡💡💡y");
    expect(new SecretRedactor(["test"]).text("latest")).toBe(`la${REDACTED}`);
  });

  it("a short secret's encoded spellings follow the same rule", () => {
    const r = new SecretRedactor(["é"]);
    expect(r.text("p=%C3%A9&q")).toBe(`p=${REDACTED}&q`);
    expect(r.text("x%C3%A9y")).toBe("x%C3%A9y");
  });
});

describe("SecretRedactor.truncatedText: no start of a secret left at a cut", () => {
  it("replaces a start of a secret that ends the text", () => {
    expect(redactor.truncatedText(`body ${LONG.slice(0, 7)}`)).toBe(`body ${REDACTED}`);
    expect(redactor.truncatedText(`body ${formEncode(LONG).slice(0, 9)}`)).toBe(`body ${REDACTED}`);
  });

  it("removes controls first, so that they cannot hide the start", () => {
    expect(redactor.truncatedText(`\u0001\u0002${LONG.slice(0, 3)}\u0003${LONG.slice(3, 6)}`)).toBe(REDACTED);
  });

  it("leaves a text that ends otherwise as redact() does", () => {
    expect(redactor.truncatedText(`x ${LONG} y`)).toBe(`x ${REDACTED} y`);
  });
});

describe("sanitizeErrorBody with secrets", () => {
  it("redacts strings and keys at any depth, and numbers that spell a secret", () => {
    const r = new SecretRedactor([LONG, "12345678"]);
    const body = { error: "invalid_client", [LONG]: { list: [`seen ${LONG}`, 12345678, 1234, true, null] }, nested: { deeper: formEncode(LONG) } };
    expect(sanitizeErrorBody(body, r)).toEqual({
      error: "invalid_client",
      [REDACTED]: { list: [`seen ${REDACTED}`, REDACTED, 1234, true, null] },
      nested: { deeper: REDACTED },
    });
  });

  it("removes control characters before redacting, so that an echo split by one is still found", () => {
    const split = `${LONG.slice(0, 4)}\u0000\u001b${LONG.slice(4)}`;
    expect(sanitizeErrorBody({ d: split }, redactor)).toEqual({ d: REDACTED });
    expect(sanitizeErrorBody(`echo: ${split}`, redactor)).toBe(`echo: ${REDACTED}`);
  });

  it("redacts before cutting, so that no cut leaves part of a secret", () => {
    const padded = `${"x".repeat(MAX_ERROR_BODY_STRING_CHARS - 5)}${LONG}`;
    const out = sanitizeErrorBody({ d: padded }, redactor) as { d: string };
    expect(out.d).toBe(`${"x".repeat(MAX_ERROR_BODY_STRING_CHARS - 5)}${REDACTED}`.slice(0, MAX_ERROR_BODY_STRING_CHARS));
    expect(out.d).not.toContain(LONG.slice(0, 3));
  });

  it("without secrets, cleans and cuts only (as before)", () => {
    expect(sanitizeErrorBody({ d: `a\u0000b ${LONG}` })).toEqual({ d: `ab ${LONG}` });
  });
});

describe("errors keep redacted bodies, reasons and messages", () => {
  it("TokenResponseError: body, and the error code in the message", () => {
    const r = new SecretRedactor(["topsecret"]);
    const error = new TokenResponseError(400, { error: "topsecret", error_description: "got topsecret" }, 1000, { redact: r });
    expect(error.message).toBe(`token endpoint answered 400 (${REDACTED})`);
    expect(error.body).toEqual({ error: REDACTED, error_description: `got ${REDACTED}` });
    expect(error.retryAfterMs).toBe(1000);
  });

  it("UnexpectedStatusError: a text body", () => {
    const error = new UnexpectedStatusError(500, `password=${formEncode(LONG)}`, undefined, { redact: redactor });
    expect(error.body).toBe(`password=${REDACTED}`);
  });

  it("InvalidResponseError and DiscoveryError: the reason and the message", () => {
    const invalid = new InvalidResponseError(200, `content type "${LONG}" is not JSON`, { redact: redactor });
    expect(invalid.reason).toBe(`content type "${REDACTED}" is not JSON`);
    expect(invalid.message).toContain(invalid.reason);
    const discovery = new DiscoveryError(`token_endpoint is on "https://${LONG}"`, 200, { redact: redactor });
    expect(discovery.reason).not.toContain(LONG);
    expect(discovery.message).not.toContain(LONG);
  });

  it("the constructors still take the arguments they took", () => {
    expect(new TokenResponseError(401, { error: "x" }).body).toEqual({ error: "x" });
    expect(new UnexpectedStatusError(503, "down", 5).retryAfterMs).toBe(5);
    expect(new InvalidResponseError(200, "why").reason).toBe("why");
    expect(new DiscoveryError("why").status).toBeUndefined();
    expect(new NetworkError().cause).toBeUndefined();
  });
});

/** An undici-like failure: a TypeError whose cause carries the request. */
function fetchFailure(secret: string): TypeError {
  const socketError = Object.assign(new Error(`other side closed while sending password=${formEncode(secret)}`), {
    code: "UND_ERR_SOCKET",
    request: { headers: { authorization: `Basic ${base64(`id:${secret}`)}` }, body: `client_secret=${formEncode(secret)}` },
    socket: { localAddress: "127.0.0.1", remotePort: 1 },
  });
  return new TypeError("fetch failed", { cause: socketError });
}

describe("causes are kept redacted, never raw", () => {
  it("NetworkError: name, code, message and frames of each cause, nothing else", () => {
    const error = new NetworkError({ cause: fetchFailure(LONG), redact: new SecretRedactor([LONG, base64(`id:${LONG}`)]) });
    const cause = error.cause as RedactedCause;
    expect(cause).toBeInstanceOf(RedactedCause);
    expect(cause).toBeInstanceOf(Error);
    expect(cause.name).toBe("TypeError");
    expect(cause.message).toBe("fetch failed");
    expect(cause.stack?.startsWith("TypeError: fetch failed\n    at ")).toBe(true);
    const inner = cause.cause as RedactedCause;
    expect(inner).toBeInstanceOf(RedactedCause);
    expect(inner.code).toBe("UND_ERR_SOCKET");
    expect(inner.message).toBe(`other side closed while sending password=${REDACTED}`);
    expect(Object.hasOwn(inner, "request")).toBe(false);
    expect(Object.hasOwn(inner, "socket")).toBe(false);
    for (const text of [JSON.stringify(error), inspect(error, { depth: 10, showHidden: true }), String(cause), cause.stack ?? ""]) {
      expect(text).not.toContain(formEncode(LONG));
      expect(text).not.toContain(base64(`id:${LONG}`));
      expect(text).not.toContain("localAddress");
    }
  });

  it("an AggregateError's members, a thrown string, a plain object, a throwing getter", () => {
    const r = new SecretRedactor([LONG]);
    const aggregate = safeCause(new AggregateError([new Error(`a ${LONG}`), `b ${LONG}`], "many"), r) as RedactedCause;
    expect(aggregate.name).toBe("AggregateError");
    expect(aggregate.errors?.map((e) => (e instanceof Error ? e.message : e))).toEqual([`a ${REDACTED}`, `b ${REDACTED}`]);
    expect(safeCause(`thrown ${LONG}\u001b[2J`, r)).toBe(`thrown ${REDACTED}[2J`);
    const plain = safeCause({ message: LONG, request: { LONG } }, r) as RedactedCause;
    expect([plain.name, plain.message, Object.hasOwn(plain, "request")]).toEqual(["Object", REDACTED, false]);
    const hostile = { get message(): string { throw new Error("no"); }, name: 7 };
    expect((safeCause(hostile, r) as RedactedCause).message).toBe("");
    expect(safeCause(undefined, r)).toBeUndefined();
    expect(safeCause(42, r)).toBe(42);
  });

  it(`keeps causes down to ${MAX_CAUSE_DEPTH} levels, so that a cycle ends`, () => {
    const cyclic = new Error("loop");
    (cyclic as { cause?: unknown }).cause = cyclic;
    let link: unknown = new NetworkError({ cause: cyclic });
    let depth = 0;
    while (link instanceof Error && link.cause !== undefined) {
      link = link.cause;
      depth += 1;
    }
    expect(depth).toBe(MAX_CAUSE_DEPTH);
    expect(() => JSON.stringify(new NetworkError({ cause: cyclic }))).not.toThrow();
  });

  it("a TokenError cause is kept as it is (a session's error wrapping a request's)", () => {
    class WrapperError extends TokenError {
      readonly kind = "wrapper";
      readonly code = "WRAPPER";
    }
    const inner = new TokenResponseError(400, { error: "invalid_grant" });
    const outer = new WrapperError("wrapped", { cause: inner });
    expect(outer.cause).toBe(inner);
    expect(outer.toJSON()["cause"]).toEqual(inner.toJSON());
  });
});

describe("the safe view: toJSON and util.inspect", () => {
  it("toJSON of each error class", () => {
    expect(new TokenResponseError(400, { error: "e" }, 5).toJSON()).toStrictEqual({
      name: "TokenResponseError",
      code: "TOKEN_RESPONSE_ERROR",
      kind: "response",
      message: "token endpoint answered 400 (e)",
      status: 400,
      body: { error: "e" },
      retryAfterMs: 5,
    });
    expect(new UnexpectedStatusError(503, "down").toJSON()).toStrictEqual({
      name: "UnexpectedStatusError",
      code: "TOKEN_UNEXPECTED_STATUS",
      kind: "unexpected_status",
      message: "token endpoint answered 503, which its spec does not document",
      status: 503,
      body: "down",
      retryAfterMs: undefined,
    });
    expect(new InvalidResponseError(200, "why").toJSON()).toMatchObject({ kind: "invalid_response", status: 200, reason: "why" });
    expect(new DiscoveryError("why", 404).toJSON()).toMatchObject({ kind: "discovery", status: 404, reason: "why" });
    expect(new TimeoutError(150).toJSON()).toMatchObject({ kind: "timeout", timeoutMs: 150 });
    expect(new AbortedError().toJSON()).toStrictEqual({ name: "AbortedError", code: "TOKEN_ABORTED", kind: "aborted", message: "token request was aborted by the caller" });
    expect(new TokenClientConfigError("bad").toJSON()).toStrictEqual({ name: "TokenClientConfigError", code: "TOKEN_CLIENT_CONFIG", message: "bad" });
    expect(JSON.parse(JSON.stringify(new NetworkError({ cause: fetchFailure("x") })))).toMatchObject({
      name: "NetworkError",
      cause: { name: "TypeError", message: "fetch failed", cause: { name: "Error", code: "UND_ERR_SOCKET" } },
    });
  });

  it("leaves out object-valued fields a subclass adds, other than body", () => {
    class LeakyError extends TokenError {
      readonly kind = "leaky";
      readonly code = "LEAKY";
      readonly request = { password: "hunter2-password" };
      readonly attempt = 3;
    }
    const error = new LeakyError("leaky");
    expect(error.toJSON()).toStrictEqual({ name: "Error", code: "LEAKY", kind: "leaky", message: "leaky", attempt: 3 });
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain("hunter2");
  });

  it("inspect shows the stack, then the safe fields, with nested errors rendered safely", () => {
    const error = new NetworkError({ cause: fetchFailure(LONG), redact: redactor });
    const text = inspect(error, { depth: 10 });
    expect(text.startsWith("NetworkError: token request failed before a complete HTTP answer arrived\n    at ")).toBe(true);
    expect(text).toContain("code: 'TOKEN_NETWORK_ERROR'");
    expect(text).toContain("cause: TypeError: fetch failed");
    expect(text).toContain("code: 'UND_ERR_SOCKET'");
    expect(text).not.toContain(formEncode(LONG));
    // Past the depth, only the stack.
    expect(inspect({ wrapped: error }, { depth: 0 })).not.toContain("code:");
    expect(inspect(new AbortedError())).toContain("kind: 'aborted'");
  });

  it("a 32-deep body stays printable", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100; i++) deep = [deep];
    const error = new UnexpectedStatusError(500, { deep });
    expect(() => JSON.stringify(error)).not.toThrow();
    expect(() => inspect(error, { depth: Infinity })).not.toThrow();
  });
});
