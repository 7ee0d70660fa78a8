// `npm run bench`: every benchmark, side by side with the tools users would
// pick instead, then bench/RESULTS.md with the figures, the goals (met or
// missed, and why), the machine and the versions. Not part of `npm test`.
//
//   node bench/run.mjs            (npm run bench builds first)
//
// Sections, each its own process so one tool's warm state cannot help another's:
//   bench/generate.mjs  whole-process generation vs openapi-typescript and hey-api; bytes; tsc
//   bench/stages.mjs    tokenwright's in-process stages
//   bench/session.ts    token request, cached token, 10,000 concurrent callers
//   bench/size.mjs      esbuild + gzip bundle sizes
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

const started = performance.now();
const loadBefore = os.loadavg();
const figuresDir = mkdtempSync(join(os.tmpdir(), "tokenwright-bench-figures-"));
const log = (line) => process.stderr.write(`[bench] ${line}\n`);

const sections = [
  { id: "generate", argv: ["bench/generate.mjs"] },
  { id: "stages", argv: ["bench/stages.mjs"] },
  { id: "session", argv: ["--import", "tsx", "bench/session.ts"] },
  { id: "size", argv: ["bench/size.mjs"] },
];
for (const s of sections) {
  log(`${s.id}: node ${s.argv.join(" ")}`);
  const t = performance.now();
  const r = spawnSync(process.execPath, s.argv, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, BENCH_FIGURES: figuresDir },
    maxBuffer: 64 * 2 ** 20,
  });
  s.seconds = (performance.now() - t) / 1000;
  s.ok = r.status === 0;
  s.text = s.ok ? r.stdout.trim() : `### ${s.id}: failed\n\n\`node ${s.argv.join(" ")}\` exited ${r.status ?? r.signal}; its output:\n\n\`\`\`\n${(r.stdout ?? "").trim().slice(-3000)}\n\`\`\``;
  const file = join(figuresDir, `${s.id}.json`);
  s.figures = s.ok && existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : undefined;
  log(`${s.id}: ${s.ok ? "done" : "FAILED"} in ${s.seconds.toFixed(0)} s`);
}
rmSync(figuresDir, { recursive: true, force: true });
const fig = Object.fromEntries(sections.map((s) => [s.id, s.figures]));

// ---------------------------------------------------------------- goals

const x = (r) => `${r.toFixed(2)}x`;
const goals = [];
const notMeasured = (goal, target, section) => goals.push({ goal, target, figure: `not measured: ${section} failed`, met: false, why: `the ${section} section failed; see its output below` });

if (fig.generate) {
  const g = fig.generate;
  // The figure is the median ratio of adjacent pairs (see bench/generate.mjs); the 5-round table below shows the rest.
  const pairs = g.goalPairs;
  const ours = pairs.tw5.median;
  const peer = pairs.ots1.median;
  const ratio = pairs.ratio.median;
  const stages = fig.stages ? Object.values(fig.stages).reduce((a, b) => a + b, 0) : undefined;
  goals.push({
    goal: "Generation of all five providers vs the openapi-typescript CLI on one spec (asset.yaml)",
    target: "≤ 1.00x",
    figure:
      `${x(ratio)} (median of ${pairs.pairs} adjacent pairs' ratios, ${x(pairs.ratio.min)}–${x(pairs.ratio.max)}; ${ours.toFixed(0)} ms vs ${peer.toFixed(0)} ms medians; ` +
      `in the ${g.runs} interleaved rounds ${x(g.cases.tw5.median / g.cases.ots1.median)}, per-round ${x(g.pairedTw5VsOts1.median)})`,
    met: ratio <= 1.0,
    why:
      `the five-provider process takes ${ours.toFixed(0)} ms against ${peer.toFixed(0)} ms for openapi-typescript on one spec (\`node -e 0\`: ${g.cases.floor.median.toFixed(0)} ms)` +
      (stages === undefined ? "" : `; tokenwright's in-process stages take ${stages.toFixed(0)} ms of it for all five specs, the rest is process start-up and loading TypeScript, ts-morph and openapi-typescript, as openapi-typescript's own process also loads TypeScript`) +
      (pairs.tw5.min <= pairs.ots1.max && pairs.ots1.min <= pairs.tw5.max
        ? `. The two ranges overlap (tokenwright ${pairs.tw5.min.toFixed(0)}–${pairs.tw5.max.toFixed(0)} ms, openapi-typescript ${pairs.ots1.min.toFixed(0)}–${pairs.ots1.max.toFixed(0)} ms) and the pair ratios span ${x(pairs.ratio.min)}–${x(pairs.ratio.max)}, so on this run the two are within the machine's noise of each other`
        : ""),
  });
  const small = g.cases.tw1.median;
  const big = g.largest?.cases?.twBig?.median;
  if (big !== undefined) {
    goals.push({
      goal: `Generation from the largest whole-API spec (${g.largest.path.split("/").pop()}, ${(g.largest.bytes / 1e6).toFixed(1)} MB) vs one small spec (asset.yaml)`,
      target: "< 3.00x",
      figure: `${x(big / small)} (${big.toFixed(0)} ms vs ${small.toFixed(0)} ms)`,
      met: big / small < 3,
      why: "the slice of the document that reaches type generation is the token operation and what it references, but the whole document is still parsed, validated and ref-checked",
    });
  }
  // A no-change run must not load TypeScript at all (issue 5).
  const same = g.cases.twSame.median;
  const floorMs = g.cases.floor.median;
  goals.push({
    goal: "A no-change `generate` vs a bare `node -e 0`",
    target: "< 2.00x",
    figure: `${x(same / floorMs)} (${same.toFixed(0)} ms vs ${floorMs.toFixed(0)} ms)`,
    met: same / floorMs < 2,
    why: "the no-change run reads the manifest and hashes the inputs; what remains is module loading",
  });
} else notMeasured("Generation of all five providers vs the openapi-typescript CLI on one spec", "≤ 1.00x", "generate");

if (fig.session) {
  const { requests, cached, herds, callers } = fig.session;
  const raw = requests[0];
  const rawTimeout = requests[1];
  const ours = requests.find((r) => r.name === "tokenwright clientCredentials()") ?? requests[requests.length - 1];
  const peers = requests.slice(2).filter((r) => !r.name.startsWith("tokenwright"));
  const ratio = ours.p50 / raw.p50;
  goals.push({
    goal: "A token request vs raw `fetch` of the same request (p50)",
    target: "≤ 1.05x",
    figure: `${x(ratio)} (${ours.p50.toFixed(3)} ms vs ${raw.p50.toFixed(3)} ms; req/s ${x(ours.perSecond / raw.perSecond)})`,
    met: ratio <= 1.05,
    why:
      `tokenwright's request carries a timeout whose abort signal also covers the body (without it a hung server would hold a socket and keep the process alive); on Node 20's fetch any signal costs the request, timer or not, and raw fetch with the same kind of signal is already ${x(rawTimeout.p50 / raw.p50)} raw fetch, and tokenwright is ${x(ours.p50 / rawTimeout.p50)} that. ` +
      `The remaining ${((ours.p50 - rawTimeout.p50) * 1000).toFixed(0)} µs are the client's own work per request: URL and HTTPS check, form encoding, \`redirect: "manual"\`, Content-Length and encoding checks before reading the body as text, ` +
      `then JSON parse and the spec's checks on status, content type, token fields and expiry. The peers on the same request: ${peers.map((p) => `${p.name} ${x(p.p50 / raw.p50)}`).join(", ")}`,
  });
  const cachedRatio = cached.sessionNs / cached.floorNs;
  goals.push({
    goal: "Cached `getAccessToken()` vs `Map.get` + time compare",
    target: "≤ 3.00x",
    figure: `${x(cachedRatio)} (${cached.sessionNs.toFixed(0)} ns vs ${cached.floorNs.toFixed(0)} ns; @badgateway/oauth2-client ${x(cached.badgatewayNs / cached.floorNs)})`,
    met: cachedRatio <= 3,
    why: `the cached path reads the store and compares expiry against the refresh margin; ${cached.sessionNs.toFixed(0)} ns against ${cached.floorNs.toFixed(0)} ns for the floor`,
  });
  const ourHerd = herds[0];
  goals.push({
    goal: `Token requests for ${callers.toLocaleString("en")} concurrent callers on a cold cache`,
    target: "1",
    figure: `${ourHerd.tokenRequests} (session.getAccessToken()); ${herds[1].tokenRequests} through openapi-fetch + session.middleware`,
    met: ourHerd.tokenRequests === 1 && herds[1].tokenRequests === 1,
    why: `the server saw ${ourHerd.tokenRequests} and ${herds[1].tokenRequests} token requests`,
  });
} else {
  notMeasured("A token request vs raw `fetch` (p50)", "≤ 1.05x", "session");
  notMeasured("Cached `getAccessToken()` vs `Map.get` + time compare", "≤ 3.00x", "session");
  notMeasured("Token requests for 10,000 concurrent callers on a cold cache", "1", "session");
}

if (fig.size) {
  // bench/size.mjs decides its goals (without sessions, with them) and says where the bytes go.
  for (const g of fig.size.goals) goals.push({ goal: g.goal, target: g.target, figure: g.figure, met: g.met, why: g.why });
} else {
  notMeasured("One provider's client without sessions, minified + gzipped", "≤ 4.50 KB", "size");
  notMeasured("One provider's client with sessions, minified + gzipped", "≤ 8.00 KB", "size");
}

// ---------------------------------------------------------------- the report

const version = (name) => JSON.parse(readFileSync(name === "." ? "package.json" : `node_modules/${name}/package.json`, "utf8")).version;
const npmVersion = (() => {
  const agent = /npm\/(\S+)/.exec(process.env.npm_config_user_agent ?? "");
  if (agent) return agent[1];
  try {
    return execFileSync("npm", ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
})();
const cpus = os.cpus();
const machine = `${cpus[0]?.model?.trim() ?? "unknown CPU"}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.platform()} ${os.release()} ${os.arch()}`;
const packages = [
  "typescript",
  "ts-morph",
  "openapi-typescript",
  "openapi-fetch",
  "@hey-api/openapi-ts",
  "oauth4webapi",
  "@badgateway/oauth2-client",
  "esbuild",
  "tsx",
  "@apidevtools/swagger-parser",
];
const totalSeconds = (performance.now() - started) / 1000;
const loadAfter = os.loadavg();
const summary = [
  "| goal | target | this run | result |",
  "| --- | --- | --- | --- |",
  ...goals.map((g) => `| ${g.goal} | ${g.target} | ${g.figure} | ${g.met ? "met" : "**missed**"} |`),
];
const missed = goals.filter((g) => !g.met);
const text = [
  "# Benchmark results",
  "",
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, in ${totalSeconds.toFixed(0)} s (${sections.map((s) => `${s.id} ${s.seconds.toFixed(0)} s`).join(", ")}; \`npm run build\` before it not counted).`,
  "",
  `- Machine: ${machine}.`,
  `- Load average (1 min) at start ${loadBefore[0].toFixed(1)}, at end ${loadAfter[0].toFixed(1)} (15 min: ${loadAfter[2].toFixed(1)}); the bench itself keeps one to two cores busy, so well above 2 means other work shared the CPUs during the run.`,
  `- Node ${process.version}, npm ${npmVersion}; tokenwright ${version(".")}.`,
  `- Packages: ${packages.map((n) => `${n} ${version(n)}`).join(", ")}.`,
  "",
  "Machines here are shared and noisy: compare the ratios within one run, not figures across runs. Every ratio below comes from interleaved runs in this one run.",
  "",
  "## Goals",
  "",
  ...summary,
  ...(missed.length === 0 ? [] : ["", "Why the missed goals are missed:", "", ...missed.map((g) => `- **${g.goal}**: ${g.why}.`)]),
  "",
  "## Figures",
  "",
  ...sections.map((s) => s.text + "\n"),
].join("\n");
writeFileSync("bench/RESULTS.md", text);
console.log(text);
log(`total ${totalSeconds.toFixed(0)} s; wrote bench/RESULTS.md`);
if (sections.some((s) => !s.ok)) process.exitCode = 1;
