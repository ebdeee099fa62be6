// Proofs in the browser (issue 12 item 4): the dashboard checks the latest
// checkpoint's signature and its witness's cosignature, and a record's
// inclusion proof, with @noble's Ed25519 and SHA-256, and says "verified in
// this browser" only when they pass; a checkpoint, a cosignature or a
// proof changed in transit (a playwright route override), or keys other
// than those the browser kept, are said to fail. First the checks
// themselves in Node, on the specs' vectors.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { checkCheckpoint, checkEntry, parseVerifierKey, KEY_ED25519, verifyInclusion, leafHash, fromBase64 } from "../../web/src/common/verify.js";
import { browser, freePort, here, passage, server, tmpdir, waitFor, watchErrors } from "./lib.mjs";

// ------------------------------------------------------------ in Node

test("the signed-note example of c2sp.org/signed-note verifies, and not once changed", () => {
  const vkey = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
  const sig = "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
  assert.equal(parseVerifierKey(vkey, KEY_ED25519).name, "example.com/foo");
  const good = checkCheckpoint(`This is an example message.\n\n${sig}`, { logKey: vkey });
  assert.equal(good.log, true);
  // Not a checkpoint (one line of text): the body is refused, so not ok.
  assert.equal(good.ok, false);
  assert.match(good.problems.join(" "), /origin, a size and a root/);
  const bad = checkCheckpoint(`This is an example message!\n\n${sig}`, { logKey: vkey });
  assert.equal(bad.log, false);
  assert.match(bad.problems.join(" "), /does not verify/);
  // A key whose hash is not its own is refused.
  assert.throws(() => parseVerifierKey(vkey.replace("530d903a", "530d903b"), KEY_ED25519), /key hash/);
});

test("RFC 9162 inclusion: a tree of 3 leaves worked out by hand", async () => {
  const { sha256 } = await import("../../web/node_modules/@noble/hashes/sha2.js");
  const node = (l, r) => sha256(Uint8Array.of(1, ...l, ...r));
  const [a, b, c] = ["a", "b", "c"].map((s) => leafHash(new TextEncoder().encode(s)));
  // MTH of 3 leaves: node(node(a, b), c). Leaf 2 (c) is proved by node(a, b)
  // alone; leaf 0 (a) by b, then c.
  const root = node(node(a, b), c);
  assert.equal(verifyInclusion(2, 3, c, [node(a, b)], root), true);
  assert.equal(verifyInclusion(0, 3, a, [b, c], root), true);
  assert.equal(verifyInclusion(0, 3, a, [c, b], root), false);
  assert.equal(verifyInclusion(1, 3, a, [b, c], root), false);
  assert.equal(verifyInclusion(3, 3, c, [node(a, b)], root), false);
});

// ------------------------------------------------------- in a browser

let dir, srv, chrome, witness, analyst, entries;
const cli = (...argv) => execFileSync(passage, argv, { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

async function startWitness(port) {
  const log = fs.openSync(path.join(dir, "w1.log"), "a");
  const child = spawn(passage, ["witness", "serve", "--listen", `127.0.0.1:${port}`, "--state", "w1.state"], { cwd: dir, stdio: ["ignore", log, log] });
  await waitFor(() => /listening on port/.test(fs.readFileSync(path.join(dir, "w1.log"), "utf8")), { what: "the witness" });
  return child;
}

before(async () => {
  dir = tmpdir("verify");
  cli("key", "generate", "--key", "log.key", "--name", "passage.example/e2e");
  fs.writeFileSync(path.join(dir, "log.vkey"), cli("key", "public", "--key", "log.key"));
  cli("key", "generate", "--key", "w1.key", "--name", "witness.example/w1");
  const wkey = cli("key", "public", "--key", "w1.key", "--cosignature").trim();
  cli("witness", "init", "--origin", "passage.example/e2e", "--log-key", "log.vkey", "--key", "w1.key", "--state", "w1.state");
  const wport = await freePort();
  witness = await startWitness(wport);
  // The entry tests' corridor, with a baseline window (so the index
  // answers), its events published, and the witness.
  const base = fs.readFileSync(path.join(here, "fixtures", "corridor.ini"), "utf8").replace("inside = the enclave\n", "inside = the enclave\nbaseline = 2025-05-01..2025-05-31\n");
  const corridor = `${base}\n[publish]\npublic = events\n\n[witness w1]\nurl = http://127.0.0.1:${wport}/\nkey = ${wkey}\n`;
  fs.writeFileSync(path.join(dir, "corridor.ini"), corridor);
  const db = path.join(dir, "store.db");
  cli("--db", db, "init", "--corridor", "corridor.ini");
  fs.copyFileSync(path.join(dir, "log.key"), `${db}.key`);
  fs.chmodSync(`${db}.key`, 0o600);
  cli("--db", db, "import", "source", path.join(here, "fixtures", "sources.csv"));
  fs.writeFileSync(path.join(dir, "flows.csv"), "id,start,checkpoint,direction,vehicles,source\nf-1,2025-06-01T08:00,north-gate,in,7,mission\nf-2,2025-06-01T09:00,south-bridge,out,3,mission\n");
  cli("--db", db, "import", "flow", "flows.csv");
  cli("--db", db, "add", "event", "--id", "e-1", "--kind", "incident", "--at", "2025-06-01T10:00", "--summary", "the road was closed for an hour");
  const out = cli("--db", db, "token", "create", "--role", "analyst", "--name", "e2e-analyst").trim().split("\n");
  analyst = out[out.length - 1].trim();
  // The server signs the tree as it starts and shows it to the witness.
  srv = await server({ db, log: path.join(dir, "server.log") });
  entries = Number(JSON.parse(await srv.text("/api/v1/status")).tree_size);
  await waitFor(async () => (await srv.text("/checkpoint").catch(() => "")).includes("— witness.example/w1 "), { what: "the witness's cosignature" });
  chrome = await browser();
});

after(async () => {
  await chrome?.close();
  await srv?.stop();
  witness?.kill("SIGTERM");
});

async function open({ token, keys, route } = {}) {
  const ctx = await chrome.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: "block" });
  await ctx.addInitScript(
    ([t, k]) => {
      if (t) localStorage.setItem("passage.dashboard.token", t);
      if (k) localStorage.setItem("passage.dashboard.keys.passage.example/e2e", k);
    },
    [token || "", keys || ""],
  );
  if (route) await ctx.route(route.url, route.handler);
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(`${srv.url}/?from=2025-06-01&to=2025-06-01`);
  await page.waitForSelector("#panel-verify[aria-busy=false]", { timeout: 30000 });
  return { ctx, page, errors };
}

const verdictOf = (page) => page.locator("#panel-verify .checkpoint-result .verdict").textContent();

test("a record is verified in this browser, its checkpoint and the witness's cosignature too", async () => {
  const { ctx, page, errors } = await open({ token: analyst });
  assert.match(await verdictOf(page), new RegExp(`verified in this browser: the checkpoint of ${entries} entries`));
  assert.match(await page.textContent('#panel-verify [data-witness="w1"]'), /cosigned by witness w1 at /);
  // Pick the record in the log panel: its entry is hashed and proved here.
  await page.click('#panel-log button[data-check="f-1"]');
  const rec = page.locator('#panel-verify [data-record="f-1"]');
  await rec.waitFor();
  assert.equal(await rec.getAttribute("data-verdict"), "verified");
  assert.match(await rec.textContent(), /verified in this browser: record f-1 is entry \d+ of the checkpoint's tree/);
  // By id, through the form.
  await page.fill('#panel-verify input[name="id"]', "e-1");
  await page.click('#panel-verify .record-form button[type="submit"]');
  await page.locator('#panel-verify [data-record="e-1"][data-verdict="verified"]').waitFor();
  assert.deepEqual(errors, []);
  await ctx.close();
});

test("the public checks a published event, and is told why a flow cannot be checked", async () => {
  const { ctx, page } = await open();
  assert.match(await verdictOf(page), /verified in this browser/);
  await page.click('#panel-events button[data-check="e-1"]');
  await page.locator('#panel-verify [data-record="e-1"][data-verdict="verified"]').waitFor();
  await page.fill('#panel-verify input[name="id"]', "f-1");
  await page.fill('#panel-verify input[name="kind"]', "flow");
  await page.click('#panel-verify .record-form button[type="submit"]');
  const rec = page.locator('#panel-verify [data-record="f-1"]');
  await rec.waitFor();
  assert.equal(await rec.getAttribute("data-verdict"), "failed");
  assert.match(await rec.textContent(), /not published to this token/);
  await ctx.close();
});

// Rewrites the answer of url through fn(text) on its way to the page.
const tamper = (url, fn) => ({
  url,
  handler: async (route) => {
    const resp = await route.fetch();
    route.fulfill({ response: resp, body: fn(await resp.text()) });
  },
});

test("a checkpoint changed in transit is not verified", async () => {
  // Another tree size under the same signature.
  const { ctx, page } = await open({ token: analyst, route: tamper("**/checkpoint", (t) => t.replace(/^(.*\n)(\d+)\n/, (m, o, n) => `${o}${Number(n) + 1}\n`)) });
  assert.match(await verdictOf(page), /the checkpoint is not verified/);
  assert.match(await page.textContent("#panel-verify"), /the log's signature \(passage\.example\/e2e\) does not verify/);
  // No record is verified against it.
  await page.click('#panel-log button[data-check="f-1"]');
  await page.locator('#panel-verify [data-record="f-1"][data-verdict="failed"]').waitFor();
  assert.match(await page.textContent('#panel-verify [data-record="f-1"]'), /the checkpoint did not verify/);
  await ctx.close();
});

test("a cosignature changed in transit fails the witness", async () => {
  const flip = (t) => t.replace(/(— witness\.example\/w1 \S{20})(\S)/, (m, a, c) => a + (c === "A" ? "B" : "A"));
  const { ctx, page } = await open({ token: analyst, route: tamper("**/checkpoint", flip) });
  assert.match(await verdictOf(page), /not verified/);
  assert.match(await page.textContent('#panel-verify [data-witness="w1"]'), /witness w1: /);
  await ctx.close();
});

test("a proof changed in transit does not verify the record", async () => {
  const alter = (t) => {
    const p = JSON.parse(t);
    const h = fromBase64(p.hashes[0]);
    h[0] ^= 1;
    p.hashes[0] = btoa(String.fromCharCode(...h));
    return JSON.stringify(p);
  };
  const { ctx, page } = await open({ token: analyst, route: tamper("**/log/proof/inclusion*", alter) });
  assert.match(await verdictOf(page), /verified in this browser/);
  await page.click('#panel-log button[data-check="f-1"]');
  await page.locator('#panel-verify [data-record="f-1"][data-verdict="failed"]').waitFor();
  assert.match(await page.textContent('#panel-verify [data-record="f-1"]'), /inclusion proof does not lead to the checkpoint's root/);
  await ctx.close();
});

test("keys other than those this browser kept are refused", async () => {
  const other = cli("key", "generate", "--key", "other.key", "--name", "passage.example/e2e") && cli("key", "public", "--key", "other.key").trim();
  const kept = JSON.stringify({ log: other, witnesses: [], since: "2025-01-01T00:00:00.000Z" });
  const { ctx, page } = await open({ token: analyst, keys: kept });
  assert.match(await verdictOf(page), /not verified: the server's keys differ from those this browser kept/);
  await ctx.close();
});

test("checkEntry refuses bytes that are not the record's", () => {
  const cp = { size: 1, root: leafHash(new TextEncoder().encode('{"id":"x"}')) };
  const ok = checkEntry(new TextEncoder().encode('{"id":"x"}'), { leaf_index: 0, tree_size: 1, hashes: [] }, cp, { id: "x" });
  assert.equal(ok.ok, true);
  const other = checkEntry(new TextEncoder().encode('{"id":"y"}'), { leaf_index: 0, tree_size: 1, hashes: [] }, cp, { id: "x" });
  assert.equal(other.ok, false);
  assert.match(other.problems.join(" "), /not the record asked for/);
});
