// What every browser test needs: a fresh store, a `passage serve` of its
// own on a free loopback port, and Debian's Chromium through
// playwright-core. Everything is made in a temporary folder and removed.
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const here = path.dirname(fileURLToPath(import.meta.url));
export const top = path.resolve(here, "../..");
export const passage = process.env.PASSAGE || path.join(top, "build", "passage");
export const webDist = process.env.PASSAGE_WEB || path.join(top, "web", "dist");
export const artifacts = process.env.PASSAGE_E2E_OUT || path.join(os.tmpdir(), "passage-e2e");

// The pages are tested against the real server only.
export function serverKind() {
  return "serve";
}

export function tmpdir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `passage-e2e-${name}-`));
}

function cli(db, ...argv) {
  return execFileSync(passage, ["--db", db, ...argv], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

// A fresh store in dir: "lachin" (the bundled scenario) or "small" (two
// checkpoints and the mission's source, fixtures/). A signing key beside it,
// so the log has a signed checkpoint, and a monitor and an analyst token.
export function makeStore(dir, kind) {
  const db = path.join(dir, "store.db");
  if (kind === "lachin") {
    execFileSync("bash", [path.join(top, "data/scenarios/lachin-2022-2023/load.sh"), passage], { env: { ...process.env, PASSAGE_DB: db }, stdio: "ignore" });
  } else {
    cli(db, "init", "--corridor", path.join(here, "fixtures", "corridor.ini"));
    cli(db, "import", "source", path.join(here, "fixtures", "sources.csv"));
  }
  cli(db, "key", "generate");
  const tokens = {};
  if (serverKind() === "serve") {
    for (const role of ["monitor", "analyst"]) {
      const out = cli(db, "token", "create", "--role", role, "--name", `e2e-${role}`).trim().split("\n");
      tokens[role] = out[out.length - 1].trim();
    }
  } else {
    tokens.monitor = randomBytes(32).toString("hex");
    tokens.analyst = tokens.monitor;
  }
  return { db, tokens };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitUp(url, ms = 20000) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > until) throw new Error(`the server at ${url} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A server for one test: start(), stop() (SIGTERM, waited for) and start()
// again on the same port and store, as a checkpoint's server that goes down
// and comes back.
export async function server({ db, web = webDist, tokens, log }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const kind = serverKind();
  let child = null;
  const logFile = log ? fs.openSync(log, "a") : "ignore";
  const self = {
    url,
    port,
    kind,
    async start() {
      const argv = [passage, ["--db", db, "serve", "--listen", `127.0.0.1:${port}`, "--web", web]];
      child = spawn(argv[0], argv[1], { stdio: ["ignore", logFile, logFile] });
      const exited = new Promise((r) => child.once("exit", r));
      child.exited = exited;
      await Promise.race([waitUp(url), exited.then((c) => Promise.reject(new Error(`the server exited (${c}) before it came up`)))]);
    },
    async stop() {
      if (!child) return;
      const c = child;
      child = null;
      c.kill("SIGTERM");
      const code = await Promise.race([c.exited, new Promise((r) => setTimeout(() => r("timeout"), 10000))]);
      if (code === "timeout") {
        c.kill("SIGKILL");
        await c.exited;
        throw new Error("the server did not stop on SIGTERM within 10 s");
      }
    },
    async json(p, token) {
      const r = await fetch(`${url}${p}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      if (!r.ok) throw new Error(`${p}: ${r.status} ${await r.text()}`);
      return r.json();
    },
    async text(p, token) {
      const r = await fetch(`${url}${p}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
      if (!r.ok) throw new Error(`${p}: ${r.status}`);
      return r.text();
    },
  };
  await self.start();
  return self;
}

// Debian's Chromium with the flags this machine needs (no network beyond
// loopback, no first-run work, no GPU), a fresh profile of its own (what
// playwright's launch makes), headless.
export async function browser() {
  return chromium.launch({
    executablePath: process.env.PASSAGE_CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

// Every console error and uncaught exception of a page, for a test to
// assert none.
// The one failure allowed: a route the binary under test has no command
// for (the pipeline, before issue 8's lands) answers 404 (or the server's
// 501), which the dashboard says in its panel and Chromium logs as a
// failed load.
export function hasCommand(name) {
  try {
    execFileSync(passage, [name, "--help"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export function watchErrors(page) {
  const errors = [];
  const absent = ["pipeline"].filter((c) => !hasCommand(c)).map((c) => `/api/v1/${c}`);
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const where = m.location()?.url || "";
    if (/status of (404|501)/.test(m.text()) && absent.some((a) => where.includes(a))) return;
    errors.push(`console: ${m.text()} (${where})`);
  });
  page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
  return errors;
}

export async function waitFor(f, { timeout = 30000, interval = 200, what = "the condition" } = {}) {
  const until = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await f();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}

// Builds web/ into dir with the given build id (another version of the
// pages, as a deployment would bring).
export function buildWeb(dir, buildId) {
  execFileSync(process.execPath, [path.join(top, "web", "build.mjs"), "--out", dir, "--build-id", buildId], { stdio: "ignore" });
}

export function saveArtifact(name, data) {
  fs.mkdirSync(artifacts, { recursive: true });
  fs.writeFileSync(path.join(artifacts, name), data);
}

// The entry page's helpers. A record's time: 12:00 on the phone's clock in
// Asia/Baku (UTC+4, no daylight saving time) on 2025-06-01 is 08:00 UTC, on
// 2025-06-01 in the corridor's UTC days whatever the hour the test runs.
export const WHEN = "2025-06-01T12:00";

export async function openEntry(ctx, srv, token) {
  const page = await ctx.newPage();
  const errors = watchErrors(page);
  await page.goto(`${srv.url}/entry${token ? `#token=${token}` : ""}`);
  await page.waitForSelector("body[data-ready=true]");
  await page.waitForSelector('select[name="checkpoint"] option[value="north-gate"]', { state: "attached" });
  return { page, errors };
}

// Fills the form as a monitor would and queues the record; returns its id
// (the draft's, made when the form opened).
export async function enter(page, { checkpoint = "north-gate", direction = "in", vehicles = "7", persons = "12", vehicle = "truck", when = WHEN } = {}) {
  const id = await page.textContent("#draft-id");
  await page.selectOption('select[name="checkpoint"]', checkpoint);
  await page.check(`input[name="direction"][value="${direction}"]`, { force: true });
  await page.selectOption('select[name="vehicle"]', vehicle);
  await page.fill('input[name="vehicles"]', vehicles);
  await page.fill('input[name="persons"]', persons);
  await page.fill('input[name="start"]', when);
  await page.click("#queue");
  await page.waitForSelector(`#outbox li[data-id="${id}"]`);
  // The form has its next draft (and id) before the next record.
  await page.waitForFunction((old) => document.getElementById("draft-id").textContent !== old, id);
  return id;
}

