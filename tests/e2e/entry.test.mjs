// The entry page in Chromium: a record entered while the server is down is
// delivered once it is back and appears on the dashboard through the event
// stream, exactly once; two tabs never send the same record; a record the
// server refuses stays on the device with the server's reason.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { browser, enter, makeStore, openEntry, server, tmpdir, waitFor, watchErrors } from "./lib.mjs";

// The day of the records lib.mjs enters (WHEN).
const DAY = "2025-06-01";
const PHONE = { viewport: { width: 390, height: 844 }, timezoneId: "Asia/Baku", serviceWorkers: "block" };

let chrome;
before(async () => {
  chrome = await browser();
});
after(async () => {
  await chrome?.close();
});

async function fresh(name) {
  const dir = tmpdir(name);
  const store = makeStore(dir, "small");
  const srv = await server({ db: store.db, tokens: store.tokens, log: path.join(dir, "server.log") });
  return { dir, store, srv };
}

const stateOf = (page, id) => page.getAttribute(`#outbox li[data-id="${id}"]`, "data-state");

async function countOnServer(srv, token, id) {
  const entries = await srv.text(`/log/entries?start=0&end=${(await srv.json("/api/v1/status", token)).tree_size}`, token);
  return entries.split("\n").filter((l) => l.includes(`"id":"${id}"`)).length;
}

test("a record entered while the server is down is delivered once it is back, and appears on the dashboard through the event stream, exactly once", async () => {
  const { store, srv } = await fresh("down");
  try {
    const before = (await srv.json("/api/v1/status", store.tokens.analyst)).tree_size;
    // The analyst's dashboard, open on the day, never reloaded.
    const dctx = await chrome.newContext({ viewport: { width: 1280, height: 900 }, serviceWorkers: "block" });
    await dctx.addInitScript((t) => localStorage.setItem("passage.dashboard.token", t), store.tokens.analyst);
    const dash = await dctx.newPage();
    const dashErrors = watchErrors(dash);
    await dash.goto(`${srv.url}/?from=${DAY}&to=${DAY}&checkpoint=north-gate`);
    await dash.waitForFunction((n) => document.body.dataset.treeSize === String(n), before);
    await dash.evaluate(() => (window.__notReloaded = true));

    // The monitor's phone: the token from the QR code's address, kept and
    // taken out of the address.
    const ectx = await chrome.newContext(PHONE);
    const { page, errors } = await openEntry(ectx, srv, store.tokens.monitor);
    assert.equal(new URL(page.url()).hash, "");
    assert.equal(await page.evaluate(() => localStorage.getItem("passage.entry.token")), store.tokens.monitor);

    await srv.stop();
    const id = await enter(page);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // Tried, not answered, still queued: with the time of its next try.
    await waitFor(async () => (await page.textContent(`#outbox li[data-id="${id}"] .meta`)).includes("tried"), { what: "a failed try" });
    assert.equal(await stateOf(page, id), "queued");

    // The server comes back (no online event: the phone never knew it was
    // gone); the backoff's next try delivers the record.
    await srv.start();
    await waitFor(async () => (await stateOf(page, id)) === "logged", { timeout: 60000, what: "the record logged" });
    const seq = Number(await page.getAttribute(`#outbox li[data-id="${id}"]`, "data-seq"));
    // The store had `before` entries (entries 0 .. before-1): this one is next.
    assert.equal(seq, before);
    assert.match(await page.textContent(`#outbox li[data-id="${id}"]`), new RegExp(`logged as entry ${seq}`));

    // Exactly once in the log.
    assert.equal((await srv.json("/api/v1/status", store.tokens.analyst)).tree_size, before + 1);
    assert.equal(await countOnServer(srv, store.tokens.analyst, id), 1);

    // The dashboard learnt of it from the event stream (it was not reloaded)
    // and shows it once, with its figure: 7 trucks in at North Gate that day.
    await dash.waitForFunction((n) => document.body.dataset.treeSize === String(n), before + 1, { timeout: 60000 });
    assert.equal(await dash.evaluate(() => window.__notReloaded), true);
    assert.equal(await dash.locator(`[data-entry-id="${id}"]`).count(), 1);
    assert.equal(await dash.textContent(`[data-flow="in|${DAY}"]`), "7");
    assert.equal(await dash.textContent('[data-figure="tree-size"]'), String(before + 1));

    // A second send of the same bytes (a phone that never heard the
    // answer) is a duplicate: the same receipt, nothing added.
    await page.evaluate(async (rid) => {
      const req = indexedDB.open("passage-entry");
      const db = await new Promise((r) => (req.onsuccess = () => r(req.result)));
      const tx = db.transaction("records", "readwrite");
      const store = tx.objectStore("records");
      const rec = await new Promise((r) => (store.get(rid).onsuccess = (e) => r(e.target.result)));
      store.put({ ...rec, state: "queued", seq: null, next_at: 0 });
      await new Promise((r) => (tx.oncomplete = r));
    }, id);
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    await waitFor(async () => (await stateOf(page, id)) === "logged", { what: "the duplicate's receipt" });
    assert.equal(Number(await page.getAttribute(`#outbox li[data-id="${id}"]`, "data-seq")), seq);
    assert.equal((await srv.json("/api/v1/status", store.tokens.analyst)).tree_size, before + 1);

    assert.deepEqual(errors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), []);
    assert.deepEqual(dashErrors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), []);
    await dctx.close();
    await ectx.close();
  } finally {
    await srv.stop();
  }
});

// Two tabs of the entry page share one outbox. While the server cannot be
// reached both queue records; when it can, both try at once: each record
// must go out in one request only. Run with the Web Locks API and without
// it (the lease in IndexedDB alone).
for (const locks of [true, false]) {
  test(`one record is never sent from two tabs (${locks ? "Web Locks" : "IndexedDB lease only"})`, async () => {
    const { store, srv } = await fresh(locks ? "tabs-locks" : "tabs-lease");
    try {
      const before = (await srv.json("/api/v1/status", store.tokens.analyst)).tree_size;
      const ctx = await chrome.newContext(PHONE);
      if (!locks) await ctx.addInitScript(() => Object.defineProperty(Navigator.prototype, "locks", { get: () => undefined }));
      await ctx.route("**/api/v1/records", (route) => (route.request().method() === "POST" ? route.abort("internetdisconnected") : route.continue()));
      const a = await openEntry(ctx, srv, store.tokens.monitor);
      const b = await openEntry(ctx, srv, "");
      assert.equal(await b.page.evaluate(() => navigator.locks === undefined), !locks);
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(await enter(a.page, { vehicles: String(i + 1) }));
      for (let i = 0; i < 2; i++) ids.push(await enter(b.page, { direction: "out", vehicles: String(i + 10) }));
      assert.equal(new Set(ids).size, 5);
      // Every request that reached the server from now on (not those the
      // route aborts), by the ids it carries.
      const sent = new Map();
      ctx.on("requestfinished", (r) => {
        if (r.method() !== "POST" || !r.url().endsWith("/api/v1/records")) return;
        for (const rec of JSON.parse(r.postData()).records) sent.set(rec.id, (sent.get(rec.id) || 0) + 1);
      });
      // Their next tries ten minutes away (as after a long outage), so that
      // only the browser's online event can send them in time.
      await a.page.evaluate(async () => {
        const req = indexedDB.open("passage-entry");
        const db = await new Promise((r) => (req.onsuccess = () => r(req.result)));
        const tx = db.transaction("records", "readwrite");
        const st = tx.objectStore("records");
        const all = await new Promise((r) => (st.getAll().onsuccess = (e) => r(e.target.result)));
        for (const rec of all) if (rec.state === "queued" || rec.state === "sent") st.put({ ...rec, state: "queued", next_at: Date.now() + 600000 });
        await new Promise((r) => (tx.oncomplete = r));
      });
      await ctx.unroute("**/api/v1/records");
      // Both tabs hear the browser come back online at the same moment.
      await ctx.setOffline(true);
      await ctx.setOffline(false);
      for (const id of ids) await waitFor(async () => (await stateOf(a.page, id)) === "logged" && (await stateOf(b.page, id)) === "logged", { timeout: 15000, what: `${id} logged in both tabs` });
      for (const id of ids) assert.equal(sent.get(id), 1, `${id} went out in ${sent.get(id)} requests`);
      assert.equal((await srv.json("/api/v1/status", store.tokens.analyst)).tree_size, before + 5);
      // The seqs are the five entries after the store's, each once.
      const seqs = [];
      for (const id of ids) seqs.push(Number(await a.page.getAttribute(`#outbox li[data-id="${id}"]`, "data-seq")));
      assert.deepEqual(seqs.slice().sort((x, y) => x - y), [before, before + 1, before + 2, before + 3, before + 4]);
      await ctx.close();
    } finally {
      await srv.stop();
    }
  });
}

test("a record the server refuses stays on the device with the server's reason; a conflict names the stored leaf hash", async () => {
  const { store, srv } = await fresh("refused");
  try {
    const ctx = await chrome.newContext(PHONE);
    const { page } = await openEntry(ctx, srv, store.tokens.monitor);
    // A grade that is no Admiralty grade (reliability A-F, credibility 1-6).
    await page.evaluate(() => (document.getElementById("settings").open = true));
    await page.fill('#settings-form input[name="grade"]', "G7");
    await page.click('#settings-form button[type="submit"]');
    const bad = await enter(page);
    await waitFor(async () => (await stateOf(page, bad)) === "refused", { what: "the refusal" });
    const why = await page.textContent(`#outbox li[data-id="${bad}"] .why`);
    assert.match(why, /refused: .*grade/i);
    // Still there after a reload: a refused record leaves the device only
    // when the monitor discards it.
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    assert.equal(await stateOf(page, bad), "refused");
    // Copied into the form, it is a new record with a new id.
    const shown = await page.textContent("#draft-id");
    await page.click(`#outbox li[data-id="${bad}"] button:has-text("Copy into the form")`);
    await page.waitForFunction((old) => document.getElementById("draft-id").textContent !== old, shown);
    const copy = await page.textContent("#draft-id");
    assert.notEqual(copy, bad);
    assert.equal(await page.inputValue('input[name="vehicles"]'), "7");
    await page.evaluate(() => (document.getElementById("settings").open = true));
    await page.fill('#settings-form input[name="grade"]', "A1");
    await page.click('#settings-form button[type="submit"]');
    await page.click("#queue");
    await waitFor(async () => (await stateOf(page, copy)) === "logged", { what: "the corrected record logged" });

    // The logged id again with other bytes: a conflict (409), refused with
    // the stored entry's leaf hash, the logged record untouched.
    const leaf = await page.evaluate(async (rid) => {
      const req = indexedDB.open("passage-entry");
      const db = await new Promise((r) => (req.onsuccess = () => r(req.result)));
      const tx = db.transaction("records", "readwrite");
      const st = tx.objectStore("records");
      const rec = await new Promise((r) => (st.get(rid).onsuccess = (e) => r(e.target.result)));
      const body = JSON.parse(rec.body);
      body.vehicles = 8;
      st.put({ ...rec, state: "queued", body: JSON.stringify(body), next_at: 0 });
      await new Promise((r) => (tx.oncomplete = r));
      return rec.leaf_hash;
    }, copy);
    await page.reload();
    await page.waitForSelector("body[data-ready=true]");
    await waitFor(async () => (await stateOf(page, copy)) === "refused", { what: "the conflict" });
    assert.match(await page.textContent(`#outbox li[data-id="${copy}"] .why`), /^conflict: /);
    const refusal = await page.evaluate(async (rid) => {
      const req = indexedDB.open("passage-entry");
      const db = await new Promise((r) => (req.onsuccess = () => r(req.result)));
      const rec = await new Promise((r) => (db.transaction("records").objectStore("records").get(rid).onsuccess = (e) => r(e.target.result)));
      return rec.refusal;
    }, copy);
    assert.equal(refusal.status, 409);
    assert.equal(refusal.errors[0].stored_leaf_hash, leaf);
    assert.equal(await countOnServer(srv, store.tokens.analyst, copy), 1);
    await ctx.close();
  } finally {
    await srv.stop();
  }
});
