// The entry page with its service worker: it still loads offline after a
// new version is deployed, and the record queued under the old version is
// neither lost nor sent twice.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { browser, buildWeb, enter, makeStore, openEntry, server, tmpdir, waitFor } from "./lib.mjs";

let chrome;
before(async () => {
  chrome = await browser();
});
after(async () => {
  await chrome?.close();
});

// The version the page's service worker runs.
const workerVersion = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve) => {
        const sw = navigator.serviceWorker.controller;
        if (!sw) return resolve(null);
        navigator.serviceWorker.addEventListener("message", function on(e) {
          if (e.data?.type !== "version") return;
          navigator.serviceWorker.removeEventListener("message", on);
          resolve(e.data.version);
        });
        sw.postMessage({ type: "version" });
      }),
  );

test("the entry page still loads offline after a new version is deployed, and what was queued is delivered once", async () => {
  const dir = tmpdir("offline");
  const store = makeStore(dir, "small");
  // The served folder: version e2e-a now, e2e-b later, swapped in whole.
  const web = path.join(dir, "web");
  buildWeb(web, "e2e-a");
  const srv = await server({ db: store.db, web, tokens: store.tokens, log: path.join(dir, "server.log") });
  try {
    const before = (await srv.json("/api/v1/status", store.tokens.analyst)).tree_size;
    const ctx = await chrome.newContext({ viewport: { width: 390, height: 844 }, timezoneId: "Asia/Baku" });
    const { page, errors } = await openEntry(ctx, srv, store.tokens.monitor);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 20000 });
    assert.equal(await workerVersion(page), "e2e-a");
    assert.deepEqual(await page.evaluate(() => caches.keys()), ["passage-e2e-a"]);

    // The records route cannot be reached (the page and its files can): a
    // record waits, queued, under version a.
    await ctx.route("**/api/v1/records", (route) => (route.request().method() === "POST" ? route.abort("internetdisconnected") : route.continue()));
    const id = await enter(page, { vehicles: "4" });
    await waitFor(async () => (await page.textContent(`#outbox li[data-id="${id}"] .meta`)).includes("tried"), { what: "a failed try" });

    // Version b is deployed; the browser looks for a new worker (as it does
    // on each visit) and installs it while the page is open.
    const next = path.join(dir, "web-b");
    buildWeb(next, "e2e-b");
    fs.renameSync(web, path.join(dir, "web-a-old"));
    fs.renameSync(next, web);
    await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
    await waitFor(async () => (await workerVersion(page)) === "e2e-b", { timeout: 90000, what: "version b's worker in control" });
    // It keeps version a's files until a page of its own version has the
    // outbox open.
    assert.deepEqual((await page.evaluate(() => caches.keys())).sort(), ["passage-e2e-a", "passage-e2e-b"]);

    // Now no network at all: the server is down and the phone offline. The
    // page opens all the same, as version b, with the record still queued.
    await srv.stop();
    await ctx.setOffline(true);
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    assert.equal(await page.getAttribute('meta[name="passage-build"]', "content"), "e2e-b");
    assert.equal(await page.textContent("#build"), "e2e-b");
    // Still waiting: queued, or "sent" when the reload cut a try short (the
    // outbox's rule: such a record is sent again, which is safe). Under load
    // a retry of the backoff can be under way as the page reloads.
    assert.ok(["queued", "sent"].includes(await page.getAttribute(`#outbox li[data-id="${id}"]`, "data-state")));
    // Version b's page opened the outbox: version a's files may go.
    await waitFor(async () => JSON.stringify(await page.evaluate(() => caches.keys())) === '["passage-e2e-b"]', { what: "version a's cache let go" });
    // The dashboard's page is there offline too (version b's copy).
    const dash = await ctx.newPage();
    await dash.goto(`${srv.url}/`);
    assert.equal(await dash.getAttribute('meta[name="passage-build"]', "content"), "e2e-b");
    await dash.close();

    // Back online, with the server up: delivered once.
    const sent = [];
    ctx.on("requestfinished", (r) => r.method() === "POST" && r.url().endsWith("/api/v1/records") && sent.push(...JSON.parse(r.postData()).records.map((x) => x.id)));
    await srv.start();
    await ctx.unroute("**/api/v1/records");
    await ctx.setOffline(false);
    await waitFor(async () => (await page.getAttribute(`#outbox li[data-id="${id}"]`, "data-state")) === "logged", { timeout: 60000, what: "the record logged" });
    assert.deepEqual(sent, [id]);
    assert.equal(Number(await page.getAttribute(`#outbox li[data-id="${id}"]`, "data-seq")), before);
    assert.equal((await srv.json("/api/v1/status", store.tokens.analyst)).tree_size, before + 1);
    assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|ERR_INTERNET_DISCONNECTED/.test(e)), []);
    await ctx.close();
  } finally {
    await srv.stop();
  }
});
