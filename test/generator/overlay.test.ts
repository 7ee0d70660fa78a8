// OpenAPI Overlay 1.0 beside a spec: applied in the load stage before any
// check reads the document, reported as config facts, and part of the
// manifest's inputs (a changed overlay makes the output stale).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SpecError } from "../../generator/load/index.js";
import { applyOverlay } from "../../generator/load/overlay.js";
import { ensureBuilt, runCli, useTempDirs, writeTree, type Json } from "./helpers.js";

const OVERLAY_FILE = "specs/acme.overlay.yaml";
const overlay = (actions: unknown[]) => ({ overlay: "1.0.0", info: { title: "fixes", version: "1" }, actions });

const DOCUMENT: Json = {
  openapi: "3.0.3",
  paths: {
    "/oauth/token": {
      post: {
        responses: {
          "200": { description: "ok", content: { "application/json": { schema: { type: "object", properties: { expires_in: { type: "integer" } } } } } },
          "400": { description: "bad" },
        },
      },
    },
  },
  servers: [{ url: "https://a.example" }, { url: "https://b.example" }],
  tags: ["x", "y"],
};

describe("applyOverlay", () => {
  it.each<{ name: string; actions: unknown[]; want: Record<string, unknown> }>([
    {
      name: "an update merges into the selected object, member by member",
      actions: [{ target: "$.paths['/oauth/token'].post.responses['200'].content['application/json'].schema.properties.expires_in", update: { description: "A unix timestamp" } }],
      want: { expires_in: { type: "integer", description: "A unix timestamp" } },
    },
    {
      name: "an update to an array appends",
      actions: [{ target: "$.servers", update: { url: "https://c.example" } }],
      want: { servers: [{ url: "https://a.example" }, { url: "https://b.example" }, { url: "https://c.example" }] },
    },
    {
      name: "a wildcard selects every member",
      actions: [{ target: "$.servers[*]", update: { description: "Prod" } }],
      want: { servers: [{ url: "https://a.example", description: "Prod" }, { url: "https://b.example", description: "Prod" }] },
    },
    {
      name: "remove deletes a member",
      actions: [{ target: "$.paths['/oauth/token'].post.responses['400']", remove: true }],
      want: { responses: ["200"] },
    },
    {
      name: "remove deletes array items, all of those selected",
      actions: [{ target: "$.servers[*]", remove: true }],
      want: { servers: [] },
    },
    {
      name: 'double-quoted names with escapes, and a "__proto__" key stays data',
      actions: [{ target: '$["paths"]["/oauth/token"].post', update: JSON.parse('{"__proto__": {"polluted": true}}') as unknown }],
      want: { protoIsData: true },
    },
  ])("$name", ({ actions, want }) => {
    const { document, actions: applied } = applyOverlay(OVERLAY_FILE, overlay(actions), DOCUMENT);
    const doc = document as { paths: Record<string, { post: Json }>; servers: unknown[] };
    const post = doc.paths["/oauth/token"]!.post;
    const responses = post["responses"] as Record<string, { content?: Record<string, { schema: { properties: Json } }> }>;
    if ("expires_in" in want) expect(responses["200"]!.content!["application/json"]!.schema.properties["expires_in"]).toEqual(want["expires_in"]);
    if ("servers" in want) expect(doc.servers).toEqual(want["servers"]);
    if ("responses" in want) expect(Object.keys(responses)).toEqual(want["responses"]);
    if ("protoIsData" in want) {
      expect(Object.hasOwn(post, "__proto__")).toBe(true);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    }
    expect(applied).toHaveLength(1);
    expect(DOCUMENT["servers"]).toHaveLength(2); // the input is not changed
  });

  it.each<{ name: string; given: unknown; pointer: string; message: RegExp }>([
    { name: "not an overlay version", given: { ...overlay([{ target: "$", update: {} }]), overlay: "2.0.0" }, pointer: "/overlay", message: /1\.0\.x/ },
    { name: "no actions", given: overlay([]), pointer: "/actions", message: /non-empty/ },
    { name: "both update and remove", given: overlay([{ target: "$.servers", update: {}, remove: true }]), pointer: "/actions/0", message: /exactly one/ },
    { name: "a target that selects nothing", given: overlay([{ target: "$.components.schemas.Nope", update: {} }]), pointer: "/actions/0/target", message: /selects nothing/ },
    { name: "a filter expression", given: overlay([{ target: "$.servers[?(@.url)]", remove: true }]), pointer: "/actions/0/target", message: /filter expressions/ },
    { name: "recursive descent", given: overlay([{ target: "$..expires_in", remove: true }]), pointer: "/actions/0/target", message: /recursive descent/ },
    { name: "an update to a string", given: overlay([{ target: "$.openapi", update: { a: 1 } }]), pointer: "/actions/0/update", message: /merges into an object/ },
    { name: "removing the whole document", given: overlay([{ target: "$", remove: true }]), pointer: "/actions/0/target", message: /whole document/ },
  ])("refuses $name, with a pointer into the overlay", ({ given, pointer, message }) => {
    let error: unknown;
    try {
      applyOverlay(OVERLAY_FILE, given, DOCUMENT);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SpecError);
    expect(error).toMatchObject({ code: "overlay", file: OVERLAY_FILE, pointer });
    expect((error as SpecError).message).toMatch(message);
  });
});

const SPEC = `openapi: 3.0.3
info: { title: Acme, version: "1" }
servers: [{ url: https://auth.acme.example }]
paths:
  /oauth/token:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [grant_type, client_id]
              properties:
                grant_type: { type: string, enum: [client_credentials] }
                client_id: { type: string }
                client_secret: { type: string }
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [access_token]
                properties:
                  access_token: { type: string }
                  expires_in: { type: integer, description: When the token expires. }
`;

const OVERLAY = `overlay: 1.0.0
info: { title: Acme fixes, version: "1" }
actions:
  - target: $.paths['/oauth/token'].post.responses['200'].content['application/json'].schema.properties.expires_in
    description: expires_in is a unix timestamp, not a duration
    update: { description: "A unix timestamp (seconds)." }
`;

describe("an overlay beside a spec, through the CLI", () => {
  const tempDir = useTempDirs();

  it("amends the spec before the model reads it, says so, and counts as an input", async () => {
    await ensureBuilt();
    const root = await tempDir("overlay");
    writeTree(root, { "specs/acme.yaml": SPEC, "specs/acme.overlay.yaml": OVERLAY });
    const explained = await runCli(["explain", "specs/acme.yaml"], root);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toContain("overlay specs/acme.overlay.yaml");
    expect(explained.stdout).toMatch(/\[config\]\s+overlay: expires_in is a unix timestamp, not a duration/);
    expect(explained.stdout).toContain("expires_in is a unix time in seconds");

    const generated = await runCli(["generate", "--out", "out"], root);
    expect(generated.stderr).toBe("");
    expect(generated.code).toBe(0);
    expect(generated.stdout).not.toContain("overlay.yaml:"); // the overlay is not a spec of its own
    expect(readFileSync(join(root, "out/acme/client.ts"), "utf8")).toContain('kind: "absolute"');
    expect(readFileSync(join(root, "out/acme/README.md"), "utf8")).toContain("amended by the overlay `specs/acme.overlay.yaml`");
    expect((await runCli(["generate", "--check", "--out", "out"], root)).code).toBe(0);

    writeFileSync(join(root, "specs/acme.overlay.yaml"), OVERLAY.replace("(seconds)", "(in seconds)"));
    const stale = await runCli(["generate", "--check", "--out", "out"], root);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("specs/acme.overlay.yaml changed");
  }, 120_000);

  it("a broken overlay fails the spec with the overlay's file and pointer, and writes nothing", async () => {
    await ensureBuilt();
    const root = await tempDir("overlay-bad");
    writeTree(root, { "specs/acme.yaml": SPEC, "specs/acme.overlay.yaml": OVERLAY.replace("properties.expires_in", "properties.expires_at") });
    const run = await runCli(["generate", "--out", "out"], root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("specs/acme.overlay.yaml#/actions/0/target");
    expect(run.stderr).toContain("selects nothing");
    expect(existsSync(join(root, "out"))).toBe(false);
  }, 120_000);
});
