import { TokenClientConfigError } from "./errors.js";

/** A server the spec declares, under the name the generated client exposes. */
export interface NamedServer {
  readonly name: string;
  /** The URL, possibly a template with `{name}` variables (OpenAPI 3.0 §4.7.5). */
  readonly url: string;
  /** The template's variables (§4.7.6): each has a default, and may be limited to an enum. */
  readonly variables?: Readonly<Record<string, ServerVariable>>;
}

export interface ServerVariable {
  readonly default: string;
  readonly enum?: readonly string[];
}

/** How a caller picks the token server. */
export interface ServerChoice {
  /** Name of one of the spec's servers. */
  readonly server?: string | undefined;
  /** Values for the chosen server's URL variables (`{ region: "eu-west-1" }`); defaults fill the rest. */
  readonly serverVariables?: Readonly<Record<string, string | undefined>> | undefined;
  /** Any base URL; wins over `server`. */
  readonly baseUrl?: string | undefined;
}

/** A server variable's value becomes part of a host or path: one label or segment, nothing that changes the URL's shape. */
const SAFE_VARIABLE_VALUE = /^[A-Za-z0-9._~-]+$/;

/**
 * Fills a server URL template: each `{name}` gets the caller's value, else
 * the variable's default. A value outside the variable's `enum`, or one that
 * could change the URL's structure (`/`, `@`, `:`, `?`, `#`…), is refused.
 *
 * @throws TokenClientConfigError naming the variable.
 */
export function fillServerUrl(server: NamedServer, values: Readonly<Record<string, string | undefined>> = {}): string {
  const variables = server.variables ?? {};
  for (const name of Object.keys(values)) {
    if (values[name] !== undefined && !Object.hasOwn(variables, name)) {
      throw new TokenClientConfigError(`server ${JSON.stringify(server.name)} has no variable ${JSON.stringify(name)}`);
    }
  }
  return server.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(variables, name)) return whole;
    const variable = variables[name]!;
    const value = Object.hasOwn(values, name) && values[name] !== undefined ? values[name]! : variable.default;
    if (variable.enum !== undefined && !variable.enum.includes(value)) {
      throw new TokenClientConfigError(`server variable ${JSON.stringify(name)} must be one of ${variable.enum.map((v) => JSON.stringify(v)).join(", ")}`);
    }
    if (!SAFE_VARIABLE_VALUE.test(value)) {
      throw new TokenClientConfigError(`server variable ${JSON.stringify(name)} may hold only letters, digits and . _ ~ -`);
    }
    return value;
  });
}

/**
 * Picks the base URL a client talks to and checks it with
 * {@link assertSecureUrl}: `baseUrl` when given; else the server called
 * `server`; else the spec's only server. RFC 6749 §3.2 requires TLS for the
 * token endpoint, so the result is `https:` (or loopback `http:`).
 *
 * @returns the chosen URL, as given.
 * @throws TokenClientConfigError when `server` names no declared server, when
 *   nothing was chosen and the spec declares zero or several servers, or when
 *   the URL fails {@link assertSecureUrl}.
 */
export function resolveBaseUrl(options: ServerChoice, servers: readonly NamedServer[]): string {
  const url = chooseUrl(options, servers);
  assertSecureUrl(url);
  return url;
}

function chooseUrl(options: ServerChoice, servers: readonly NamedServer[]): string {
  if (options.baseUrl !== undefined) return options.baseUrl;
  if (options.server !== undefined) {
    const found = servers.find((s) => s.name === options.server);
    if (found === undefined) {
      throw new TokenClientConfigError(
        `unknown server ${JSON.stringify(options.server)}; ${describeServers(servers)}`,
      );
    }
    return fillServerUrl(found, options.serverVariables);
  }
  const [only, ...rest] = servers;
  if (only === undefined) {
    throw new TokenClientConfigError("baseUrl is required: the spec declares no servers");
  }
  if (rest.length > 0) {
    throw new TokenClientConfigError(`pass server or baseUrl; ${describeServers(servers)}`);
  }
  return fillServerUrl(only, options.serverVariables);
}

function describeServers(servers: readonly NamedServer[]): string {
  if (servers.length === 0) return "the spec declares no servers, so pass baseUrl";
  return `known servers: ${servers.map((s) => JSON.stringify(s.name)).join(", ")}`;
}

const LOOPBACK_IPV4 = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

function isLoopbackHost(hostname: string): boolean {
  // The URL parser has already lower-cased the host and normalised IPv4
  // (`127.1`, `0x7f.0.0.1`) and IPv6 (`[0:0:0:0:0:0:0:1]`) spellings.
  return hostname === "localhost" || hostname === "[::1]" || LOOPBACK_IPV4.test(hostname);
}

/**
 * Checks that a token endpoint base URL is safe to send credentials to
 * (RFC 6749 §3.2 and §2.3.1 require TLS): an absolute URL, `https:` or, for
 * local development and tests only, `http:` to a loopback host
 * (`127.0.0.0/8`, `localhost`, `[::1]`); no username or password (they would
 * be credentials outside the client config); no fragment (RFC 6749 §3.2: the
 * endpoint URI "MUST NOT include a fragment component").
 *
 * @param what - How messages name the URL (default `base URL`; discovery
 *   passes `token_endpoint`).
 * @throws TokenClientConfigError naming the problem; the message shows at most
 *   the URL's scheme, host and path, never its userinfo.
 */
export function assertSecureUrl(url: string, what = "base URL"): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TokenClientConfigError(`${what} is not an absolute URL`);
  }
  const shown = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  if (parsed.username !== "" || parsed.password !== "") {
    throw new TokenClientConfigError(`${what} ${shown} must not contain a username or password`);
  }
  if (parsed.href.includes("#")) {
    throw new TokenClientConfigError(`${what} ${shown} must not contain a fragment`);
  }
  if (parsed.protocol === "https:") return;
  if (parsed.protocol === "http:") {
    if (isLoopbackHost(parsed.hostname)) return;
    throw new TokenClientConfigError(
      `${what} ${shown} must use https: (http: is allowed only for loopback hosts)`,
    );
  }
  throw new TokenClientConfigError(`${what} ${shown} must use https:`);
}

/**
 * Appends an endpoint path to a base URL, keeping the base URL's own path
 * (RFC 3986 §5.2 resolution would drop its last segment, so this is a join,
 * not a resolution): `https://h/v1` + `/oauth/token` gives
 * `https://h/v1/oauth/token`, with exactly one `/` at the join.
 *
 * The base URL's query string is dropped: a token endpoint path from the spec
 * is the whole target, and a query on a server URL (e.g. a docs tracking
 * parameter) has no defined meaning for it. A query in `path` is kept.
 *
 * @throws TypeError when `baseUrl` is not an absolute URL (check it with
 *   {@link assertSecureUrl} first).
 */
export function joinUrl(baseUrl: string, path: string): string {
  const base = new URL(baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");
  const relative = path.replace(/^\/+/, "");
  return `${base.protocol}//${base.host}${basePath}/${relative}`;
}
