// tokenwright in someone else's project, end to end: the package is packed as it would be
// published (`npm pack`, so `prepack` builds it), installed from the tarball into a fresh
// `"type": "module"` project, set up with the README's own shell blocks (`npx tokenwright init`,
// the generate script, --check), typechecked there, and run: a client and a session against a
// loopback token server on Node 20, 22 and 24 (pinned binaries from the npm registry), and in
// headless Chromium from a page on another loopback origin (CORS), bundled by esbuild for the
// browser. Last, a production install of the project (`npm ci --omit=dev`) holds neither
// TypeScript, ts-morph nor tokenwright, and the compiled app still runs with only that, its
// session on the Redis store generated into the project (`"stores": ["redis"]`) and the app's
// own ioredis.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, hashTree, useTempDirs } from "../generator/helpers.js";
import { bannerText } from "../support/banner.js";
import { startRedis, type RedisNode } from "../support/redis-topology.js";
import { loadSpecSchemas, type OperationSchemas } from "../support/spec-schema.js";
import { NODE_VERSIONS, chromiumBinary, codeBlocks, nodeBinary, ok, openInChromium, run, sh, shellCommands, type Ran } from "./support.js";

const tempDir = useTempDirs();
const NPM_FLAGS = "--prefer-offline --no-audit --no-fund";
const SANDBOX = "https://api.sandbox.getasset.com";

/** What the package's own source tree holds that `npm pack` needs to build it. */
const PACKAGE_SOURCES = ["package.json", "tsconfig.json", "tsconfig.build.json", "README.md", "LICENSE", "SECURITY.md", "tokenwright.config.schema.json", "generator", "templates"];

let work = "";
let app = "";
let tarball = "";
let tarballFiles: string[] = [];
let installed: Ran | undefined;
const readmeRuns: { command: string; ran: Ran }[] = [];
const nodes = new Map<string, string>();

// ---- the loopback token server (and the API the session calls), with CORS for the browser ----
let api: Server | undefined;
let apiUrl = "";
let operation: OperationSchemas;
const issued: string[] = [];
const apiRequests: { method: string; url: string; origin: string | undefined; body: string }[] = [];

function cors(request: IncomingMessage, response: ServerResponse): void {
  response.setHeader("access-control-allow-origin", request.headers.origin ?? "*");
  response.setHeader("access-control-allow-methods", "GET, POST, OPTIONS");
  response.setHeader("access-control-allow-headers", "authorization, content-type, accept");
  response.setHeader("vary", "origin");
}

async function startApi(): Promise<void> {
  operation = (await loadSpecSchemas(join(REPO_ROOT, "specs/asset.yaml"))).operation("/v0/auth/token", "post");
  api = createServer((request, response) => {
    let body = "";
    request.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    request.on("end", () => {
      apiRequests.push({ method: request.method ?? "", url: request.url ?? "", origin: request.headers.origin, body });
      cors(request, response);
      const json = (status: number, value: unknown) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(value));
      };
      if (request.method === "OPTIONS") {
        response.writeHead(204);
        response.end();
      } else if (request.method === "POST" && request.url === "/v0/auth/token") {
        const check = operation.validateRequest(request.headers["content-type"], body);
        const form = new URLSearchParams(body);
        if (!check.ok || form.get("client_id") !== "client-123" || form.get("client_secret") !== "s3cret value") {
          json(422, { error: check.ok ? "wrong client" : check.errors.join("; "), data: null });
          return;
        }
        const token = `at-${issued.length + 1}`;
        issued.push(token);
        // Asset's expires_in is a unix time in seconds.
        json(200, operation.sampleResponse(200, { access_token: token, token_type: "Bearer", expires_in: Math.floor(Date.now() / 1000) + 3600 }).body);
      } else if (request.method === "GET" && request.url === "/v0/ledgers") {
        const authorised = request.headers.authorization === `Bearer ${issued.at(-1) ?? "none"}`;
        json(authorised ? 200 : 401, authorised ? { ledgers: [] } : { error: "invalid_token" });
      } else json(404, { error: "not found" });
    });
  });
  await new Promise<void>((resolve) => api!.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
}

// ---- the consumer's own code ----

/**
 * A client and a session, as an app uses them; prints what happened as JSON. With REDIS_URL, the
 * session keeps its token in Redis through the generated store, and a second client's session
 * finds it there.
 */
const APP_TS = `import { createAssetClient, createAssetSession, type TokenStore } from "./generated/asset/index.js";
import { RedisTokenStore } from "./generated/stores/redis-store.js";

const base = process.env["TOKEN_SERVER"]!;
const redisUrl = process.env["REDIS_URL"];
const asset = createAssetClient({ baseUrl: base, clientId: "client-123", clientSecret: "s3cret value" });
const result = await asset.clientCredentials({ scope: "ledger:read", resource: ["https://api.example.com"] });
if (!result.ok) throw new Error(\`\${result.error.kind}: \${result.error.message}\`);
const redis = redisUrl === undefined ? undefined : new RedisTokenStore(redisUrl, { prefix: \`consumer-\${process.pid}:\` });
const store: { store?: TokenStore } = redis === undefined ? {} : { store: redis };
const session = createAssetSession(asset, { grant: "client_credentials", scope: "ledger:read" }, { origins: [base], ...store });
const [first, second] = await Promise.all([session.getAccessToken(), session.getAccessToken()]);
const response = await session.fetch(\`\${base}/v0/ledgers\`);
await session.close();
let fromStore: boolean | undefined;
if (redis !== undefined) {
  const again = createAssetClient({ baseUrl: base, clientId: "client-123", clientSecret: "s3cret value" });
  const other = createAssetSession(again, { grant: "client_credentials", scope: "ledger:read" }, store);
  fromStore = (await other.getAccessToken()) === first;
  await other.close();
  await redis.close();
}
console.log(JSON.stringify({ node: process.version, token: result.token.accessToken, expiresAt: result.token.expiresAt, shared: first === second, status: response.status, fromStore }));
`;

/** The same in a page: reports to the page's own origin, which serves it. */
const BROWSER_TS = `import { createAssetClient, createAssetSession } from "./generated/asset/index.js";

async function main(): Promise<unknown> {
  const base = new URL(location.href).searchParams.get("api")!;
  const asset = createAssetClient({ baseUrl: base, clientId: "client-123", clientSecret: "s3cret value" });
  const result = await asset.clientCredentials({ scope: "ledger:read" });
  if (!result.ok) return { error: \`\${result.error.kind}: \${result.error.message}\` };
  const session = createAssetSession(asset, { grant: "client_credentials", scope: "ledger:read" }, { origins: [base] });
  const token = await session.getAccessToken();
  const response = await session.fetch(\`\${base}/v0/ledgers\`);
  await session.close();
  return { userAgent: navigator.userAgent, token: result.token.accessToken, sessionToken: token, status: response.status };
}

main().then(
  (value) => fetch("/result", { method: "POST", body: JSON.stringify(value) }),
  (error: unknown) => fetch("/result", { method: "POST", body: JSON.stringify({ error: String(error) }) }),
);
`;

/** The README's usage example imports from the real sandbox; this sends its requests to the loopback server instead. */
const REDIRECT_MJS = `const realFetch = globalThis.fetch;
const target = process.env.TOKEN_SERVER;
globalThis.fetch = (input, init) => realFetch(String(input instanceof Request ? input.url : input).replace(${JSON.stringify(SANDBOX)}, target), init);
`;

const TSCONFIG = {
  compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, outDir: "dist", rootDir: ".", types: ["node"], skipLibCheck: true },
  include: ["*.ts", "generated/**/*.ts"],
};

/** The README's shell blocks for a user's project: those before its first ```ts block. */
function readmeUserBlocks(): string[][] {
  const blocks = codeBlocks(readFileSync(join(REPO_ROOT, "README.md"), "utf8"));
  const firstTs = blocks.findIndex((b) => b.lang === "ts");
  return blocks.slice(0, firstTs).filter((b) => b.lang === "sh").map((b) => shellCommands(b.body));
}

function readmeUsageExample(): string {
  const block = codeBlocks(readFileSync(join(REPO_ROOT, "README.md"), "utf8")).find((b) => b.lang === "ts");
  if (!block) throw new Error("README.md has no ```ts block");
  return block.body;
}

/** A README command, with the package name swapped for the tarball (the package is not published from here). */
function asTyped(command: string): string {
  return command.replace(/^npm install --save-dev tokenwright$/, `npm install --save-dev ${tarball} ${NPM_FLAGS}`);
}

beforeAll(async () => {
  work = await tempDir("consumer");
  const nodesReady = Promise.all(NODE_VERSIONS.map(async (version) => nodes.set(version, await nodeBinary(version))));
  nodesReady.catch(() => undefined); // awaited below
  await startApi();

  // Pack a copy of the package's sources, so prepack's clean build does not touch the repository's dist/.
  const source = join(work, "tokenwright");
  mkdirSync(source);
  for (const entry of PACKAGE_SOURCES) cpSync(join(REPO_ROOT, entry), join(source, entry), { recursive: true });
  symlinkSync(join(REPO_ROOT, "node_modules"), join(source, "node_modules"), "dir");
  const packed = ok(await sh("npm pack --pack-destination ..", source, {}, 180_000), "npm pack");
  tarball = join(work, packed.stdout.trim().split("\n").at(-1)!);
  tarballFiles = ok(await run("tar", ["-tzf", tarball], work), "tar -tzf").stdout.trim().split("\n");

  // A fresh ESM project, then the README's blocks as a user types them.
  app = join(work, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "consumer-app", version: "1.0.0", private: true, type: "module" }, null, 2)}\n`);
  const [setup, generate] = readmeUserBlocks();
  if (setup === undefined || generate === undefined) throw new Error("README.md should show the install/init and the generate shell blocks before its first ```ts block");
  for (const command of setup) {
    const ran = ok(await sh(asTyped(command), app, {}, 180_000), command);
    readmeRuns.push({ command, ran });
    if (command.startsWith("npm install")) installed = ran;
  }
  // "Put each provider's OpenAPI document in specs/ (here, Asset's as specs/asset.yaml)", and ask
  // for the Redis store as the README's Stores bullet says.
  const configFile = join(app, "tokenwright.config.json");
  writeFileSync(configFile, `${JSON.stringify({ ...(JSON.parse(readFileSync(configFile, "utf8")) as object), stores: ["redis"] }, null, 2)}\n`);
  mkdirSync(join(app, "specs"));
  cpSync(join(REPO_ROOT, "specs/asset.yaml"), join(app, "specs/asset.yaml"));
  for (const command of generate) readmeRuns.push({ command, ran: ok(await sh(asTyped(command), app), command) });

  // The app's own code and tools: TypeScript and Node's types as any TS project has them, ioredis
  // as a user of the Redis store adds it (a dependency: the app imports it at run time).
  ok(await sh(`npm install --save-dev typescript@5.9.3 @types/node@20.19.43 ${NPM_FLAGS} && npm install ioredis@5.8.2 ${NPM_FLAGS}`, app, {}, 180_000), "npm install typescript @types/node ioredis");
  writeFileSync(join(app, "app.ts"), APP_TS);
  writeFileSync(join(app, "browser.ts"), BROWSER_TS);
  writeFileSync(join(app, "readme-usage.ts"), readmeUsageExample());
  writeFileSync(join(app, "redis-types.ts"), `import type { RedisTokenStore, RedisTokenStoreOptions } from "tokenwright/redis-store";\nexport type Store = RedisTokenStore;\nexport const options: RedisTokenStoreOptions = { prefix: "app:" };\n`);
  writeFileSync(join(app, "redirect.mjs"), REDIRECT_MJS);
  writeFileSync(join(app, "tsconfig.json"), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  await nodesReady;
}, 600_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (api ? api.close(() => resolve()) : resolve()));
});

describe("the packed package", () => {
  it("holds the built code with a .d.ts for every export, LICENSE and SECURITY.md, and no tests", () => {
    const files = new Set(tarballFiles.map((f) => f.replace(/^package\//, "")));
    for (const required of ["LICENSE", "SECURITY.md", "README.md", "tokenwright.config.schema.json", "dist/generator/cli/main.js", "generator/runtime/index.ts", "templates/banner.hbs"]) {
      expect(files, required).toContain(required);
    }
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { exports: Record<string, string | Record<string, string>>; license: string; scripts: Record<string, string> };
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      const targets = typeof target === "string" ? { default: target } : target;
      for (const path of Object.values(targets)) expect(files, `${subpath} -> ${path}`).toContain(path.replace(/^\.\//, ""));
      if (typeof target !== "string" || target.endsWith(".js")) expect(targets, `${subpath} has types`).toHaveProperty("types");
    }
    for (const file of files) if (file.startsWith("dist/") && file.endsWith(".js")) expect(files, file).toContain(file.replace(/\.js$/, ".d.ts"));
    expect([...files].filter((f) => /\.test\.|^test\//.test(f))).toEqual([]);
    expect(readFileSync(join(REPO_ROOT, "LICENSE"), "utf8")).toMatch(new RegExp(`^${manifest.license} License`));
    // Nothing runs on a user's install.
    expect(Object.keys(manifest.scripts).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);
  });

  it("installs with no warning of ours, as a devDependency", () => {
    const output = `${installed!.stdout}\n${installed!.stderr}`;
    expect(output).not.toMatch(/install-scripts|prepare|tokenwright.*warn|warn.*tokenwright/i);
    const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as { devDependencies: Record<string, string>; dependencies: Record<string, string> };
    expect(Object.keys(pkg.devDependencies)).toContain("tokenwright");
    expect(Object.keys(pkg.dependencies)).toEqual(["ioredis"]);
  });
});

describe("the README's shell blocks, in a fresh project", () => {
  it("init writes the config and the script; the script generates; --check passes", () => {
    expect(readmeRuns.map((r) => r.command)).toEqual([...readmeUserBlocks().flat()]);
    expect(readmeRuns.map((r) => r.command)).toEqual(expect.arrayContaining(["npx tokenwright init", "npm run generate:tokens", "npm run generate:tokens -- --check"]));
    const config = JSON.parse(readFileSync(join(app, "tokenwright.config.json"), "utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({ $schema: "./node_modules/tokenwright/tokenwright.config.schema.json", out: "generated", script: "generate:tokens" });
    expect(existsSync(join(app, String(config["$schema"])))).toBe(true);
    expect(readmeRuns.find((r) => r.command === "npm run generate:tokens")!.ran.stdout).toContain("asset: clientCredentials");
    expect(readmeRuns.at(-1)!.ran.stdout).toContain("generated/ is up to date");
    expect(bannerText(readFileSync(join(app, "generated/asset/client.ts"), "utf8"))).toContain("Do not edit: this file is overwritten. Regenerate with `npm run generate:tokens`.");
  });

  it.each(NODE_VERSIONS)("the generator itself runs on Node %s and writes the same files", async (version) => {
    // A copy of the project's inputs, generated from scratch by the installed CLI on that Node.
    const copy = join(work, `project-on-node-${version}`);
    mkdirSync(copy);
    for (const entry of ["package.json", "tokenwright.config.json", "specs"]) cpSync(join(app, entry), join(copy, entry), { recursive: true });
    const cli = join(app, "node_modules/tokenwright/dist/generator/cli/main.js");
    ok(await run(nodes.get(version)!, [cli, "generate"], copy), `generate on Node ${version}`);
    expect(hashTree(join(copy, "generated"))).toEqual(hashTree(join(app, "generated")));
    ok(await run(nodes.get(version)!, [cli, "generate", "--check"], copy), `generate --check on Node ${version}`);
  }, 120_000);
});

describe("the generated code in the consumer", () => {
  it("typechecks and compiles there (module NodeNext), tokenwright/redis-store types included", async () => {
    const ran = await run(process.execPath, [join(app, "node_modules/typescript/bin/tsc"), "-p", "."], app);
    expect(`${ran.stdout}${ran.stderr}`).toBe("");
    expect(ran.code).toBe(0);
    expect(existsSync(join(app, "dist/app.js"))).toBe(true);
  }, 120_000);

  it.each(NODE_VERSIONS)("a client and a session work on Node %s", async (version) => {
    const before = apiRequests.length;
    const ran = ok(await run(nodes.get(version)!, ["dist/app.js"], app, { TOKEN_SERVER: apiUrl }), `dist/app.js on Node ${version}`);
    const printed = JSON.parse(ran.stdout.trim()) as { node: string; token: string; expiresAt: number; shared: boolean; status: number };
    expect(printed).toMatchObject({ node: `v${version}`, shared: true, status: 200 });
    expect(printed.token).toMatch(/^at-\d+$/);
    expect(printed.expiresAt).toBeGreaterThan(Date.now());
    const made = apiRequests.slice(before);
    expect(made.map((r) => `${r.method} ${r.url}`)).toEqual(["POST /v0/auth/token", "POST /v0/auth/token", "GET /v0/ledgers"]);
    expect(new URLSearchParams(made[0]!.body).getAll("resource")).toEqual(["https://api.example.com"]);
  }, 60_000);

  it.each(NODE_VERSIONS)("the README's usage example runs as written on Node %s", async (version) => {
    const ran = ok(
      await run(nodes.get(version)!, ["--import", "./redirect.mjs", "dist/readme-usage.js"], app, { TOKEN_SERVER: apiUrl, ASSET_CLIENT_ID: "client-123", ASSET_CLIENT_SECRET: "s3cret value" }),
      `the README example on Node ${version}`,
    );
    expect(ran.stderr).toBe("");
    expect(ran.stdout).toMatch(/^at-\d+ \d{13}\n$/);
  }, 60_000);

  it("bundles for the browser with no node: import, and runs in headless Chromium against a CORS token server", async () => {
    const chromium = await chromiumBinary();
    const web = join(work, "web");
    mkdirSync(web, { recursive: true });
    const bundled = await build({ entryPoints: [join(app, "browser.ts")], bundle: true, platform: "browser", format: "esm", target: "es2022", outfile: join(web, "bundle.js"), metafile: true, logLevel: "silent" });
    const output = Object.values(bundled.metafile.outputs)[0]!;
    expect(output.imports.map((i) => i.path)).toEqual([]);
    const inputs = Object.keys(bundled.metafile.inputs);
    expect(inputs.filter((i) => i.startsWith("node:") || i.includes("node_modules"))).toEqual([]);
    expect(inputs.some((i) => i.endsWith("generated/runtime/index.ts"))).toBe(true);
    const code = readFileSync(join(web, "bundle.js"), "utf8");
    expect(code).not.toMatch(/["']node:[a-z_/]+["']/);

    let result: (value: string) => void = () => undefined;
    const reported = new Promise<string>((resolve) => (result = resolve));
    const page = createServer((request, response) => {
      if (request.method === "POST" && request.url === "/result") {
        let body = "";
        request.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        request.on("end", () => {
          response.end("ok");
          result(body);
        });
        return;
      }
      if (request.url === "/bundle.js") {
        response.writeHead(200, { "content-type": "text/javascript" });
        response.end(code);
        return;
      }
      response.writeHead(200, { "content-type": "text/html" });
      response.end(`<!doctype html><meta charset="utf-8"><title>consumer</title><script type="module" src="/bundle.js"></script>`);
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    const pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
    const before = apiRequests.length;
    const browser = openInChromium(chromium, `${pageOrigin}/?api=${encodeURIComponent(apiUrl)}`, join(work, "chromium-profile"));
    try {
      const body = await Promise.race([
        reported,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no result from the page in 45 s; Chromium said:\n${browser.output()}`)), 45_000)),
      ]);
      const value = JSON.parse(body) as Record<string, unknown>;
      expect(value, body).toMatchObject({ status: 200, userAgent: expect.stringContaining("HeadlessChrome") });
      expect(value["token"]).toMatch(/^at-\d+$/);
      expect(value["sessionToken"]).toMatch(/^at-\d+$/);
      // Every request crossed origins: the browser sent the page's origin and let the answers through.
      const made = apiRequests.slice(before);
      expect(made.filter((r) => r.method !== "OPTIONS").map((r) => `${r.method} ${r.url} ${r.origin ?? "-"}`)).toEqual([
        `POST /v0/auth/token ${pageOrigin}`,
        `POST /v0/auth/token ${pageOrigin}`,
        `GET /v0/ledgers ${pageOrigin}`,
      ]);
    } finally {
      browser.stop();
      await new Promise<void>((resolve) => page.close(() => resolve()));
    }
  }, 90_000);

  it("a production install (npm ci --omit=dev) holds no TypeScript, ts-morph or tokenwright, and the app still runs, its session on the generated Redis store", async () => {
    expect(readFileSync(join(app, "generated/stores/redis-store.ts"), "utf8")).toMatch(/^import .* from "\.\.\/runtime\/store\.js";$/m);
    ok(await sh(`npm ci --omit=dev ${NPM_FLAGS}`, app, {}, 180_000), "npm ci --omit=dev");
    const installedNames = readdirSync(join(app, "node_modules")).flatMap((name) => (name.startsWith("@") ? readdirSync(join(app, "node_modules", name)).map((n) => `${name}/${n}`) : [name]));
    expect(installedNames).toContain("ioredis");
    expect(installedNames.filter((name) => ["typescript", "ts-morph", "@ts-morph/common", "tokenwright", "openapi-typescript"].includes(name))).toEqual([]);
    let redis: RedisNode | undefined;
    try {
      redis = await startRedis();
      const before = apiRequests.length;
      const ran = ok(await run(process.execPath, ["dist/app.js"], app, { TOKEN_SERVER: apiUrl, REDIS_URL: redis.url }), "dist/app.js after npm ci --omit=dev");
      expect(JSON.parse(ran.stdout.trim())).toMatchObject({ status: 200, shared: true, fromStore: true });
      // The second client's session found the token in Redis: no third token request.
      expect(apiRequests.slice(before).map((r) => `${r.method} ${r.url}`)).toEqual(["POST /v0/auth/token", "POST /v0/auth/token", "GET /v0/ledgers"]);
    } finally {
      await redis?.stop();
    }
  }, 180_000);
});
