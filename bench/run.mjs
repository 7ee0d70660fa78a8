// `npm run bench`: every benchmark, then bench/RESULTS.md with the figures,
// the machine and the versions. Not part of `npm test`.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";

const run = (...argv) => execFileSync(process.execPath, argv, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
const version = (name) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
const sections = [run("bench/generate.mjs"), run("bench/stages.mjs"), run("--import", "tsx", "bench/session.ts")];
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}`;
const versions = ["typescript", "ts-morph", "openapi-typescript", "@apidevtools/swagger-parser"].map((n) => `${n} ${version(n)}`).join(", ");
const text = [
  "# Benchmark results",
  "",
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Machine: ${machine}. Node ${process.version}; ${versions}.`,
  "Machines here are shared and noisy: compare the ratios within one run, not figures across runs.",
  "",
  ...sections.map((s) => s.trim() + "\n"),
].join("\n");
writeFileSync("bench/RESULTS.md", text);
console.log(text);
