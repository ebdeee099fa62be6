import { openDB } from "idb";

// The outbox: every record a monitor has begun or queued, kept on the device
// in IndexedDB until the server has logged it. Nothing here deletes a record
// that is not logged, except the monitor's own "discard" of a refused one.
//
// A record's life:
//   draft    the form being filled in; its id (a uuid) is made when the
//            draft is, so that every later send of it carries the same id
//   queued   frozen: `body` holds the exact JSON that every send repeats, so
//            a retry is the same id with the same bytes (a duplicate the
//            server answers with the original receipt, never a second entry)
//   sent     a request carrying it is under way (a page that died here
//            leaves it "sent"; it is sent again, which is safe)
//   logged   the server answered with its receipt (seq, leaf hash)
//   refused  the server answered 422 or 409 for it: kept, with the reason,
//            until the monitor retries, copies it into a new draft or
//            discards it
//
// The schema is versioned (SCHEMA, IndexedDB's own version). Each step of
// STEPS upgrades one version in the upgrade transaction, keeping every
// record: a new page never opens an outbox it cannot read, and an old page
// open in another tab is asked to let go (see openOutbox).

export const DB_NAME = "passage-entry";
export const SCHEMA = 1;
export const STATES = ["draft", "queued", "sent", "logged", "refused"];
// Logged records are kept as receipts for the monitor to see; the oldest
// are let go past this many.
const KEEP_LOGGED = 200;

// STEPS[v - 1] takes the database from version v - 1 to v.
const STEPS = [
  (db) => {
    const records = db.createObjectStore("records", { keyPath: "id" });
    records.createIndex("state", "state");
    records.createIndex("created_at", "created_at");
    db.createObjectStore("meta", { keyPath: "key" });
  },
];

// Opens the outbox, upgrading it step by step. onBlocked is called when a
// tab with an older page holds the database open and has not let go;
// onVersionChange when a newer page (in another tab) needs this one to let
// go: the connection is closed first, so the newer page's upgrade proceeds.
export async function openOutbox({ onBlocked, onVersionChange } = {}) {
  const db = await openDB(DB_NAME, SCHEMA, {
    upgrade(db, oldVersion, newVersion, tx) {
      for (let v = oldVersion; v < SCHEMA; v++) STEPS[v](db, tx);
      tx.objectStore("meta").put({ key: "schema", version: SCHEMA, upgraded_from: oldVersion, at: Date.now() });
    },
    blocked() {
      onBlocked && onBlocked();
    },
    blocking() {
      db.close();
      onVersionChange && onVersionChange();
    },
  });
  return db;
}

export function newId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // Pages served over plain http (no secure context) lack randomUUID but
  // have getRandomValues: a version 4 uuid from 16 random bytes.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Drafts belong to the tab that made them (owner: the tab's id, kept in its
// sessionStorage so that a reload finds its draft again): two tabs never
// fill in the same record. A tab marks its draft seen every few seconds; a
// draft not seen for DRAFT_STALE_MS belongs to a tab that has gone, and
// another tab may take it over (adoptDraft) so that nothing typed is lost.
export const DRAFT_STALE_MS = 30000;

export async function currentDraft(db, owner) {
  // The one it shows is the one it last touched.
  const drafts = (await db.getAllFromIndex("records", "state", "draft")).filter((d) => d.owner === owner);
  drafts.sort((a, b) => (b.seen_at || 0) - (a.seen_at || 0));
  return drafts[0] || null;
}

export async function newDraft(db, fields = {}, owner = null) {
  const now = Date.now();
  const d = { id: newId(), state: "draft", created_at: now, seen_at: now, owner, fields };
  await db.add("records", d);
  return d;
}

export async function saveDraft(db, id, fields) {
  const tx = db.transaction("records", "readwrite");
  const r = await tx.store.get(id);
  if (r && r.state === "draft") await tx.store.put({ ...r, fields, seen_at: Date.now() });
  await tx.done;
}

export async function touchDraft(db, id) {
  const tx = db.transaction("records", "readwrite");
  const r = await tx.store.get(id);
  if (r && r.state === "draft") await tx.store.put({ ...r, seen_at: Date.now() });
  await tx.done;
}

// Drafts not in a form: those of tabs that have gone, and this tab's own
// other than the one it shows (set aside by "copy into the form").
export async function orphanDrafts(db, owner, currentId) {
  const now = Date.now();
  return (await db.getAllFromIndex("records", "state", "draft")).filter((d) => d.id !== currentId && (d.owner === owner || (d.seen_at || 0) < now - DRAFT_STALE_MS));
}

// Takes over a gone tab's draft; null when its tab turned out to be alive.
export async function adoptDraft(db, id, owner) {
  const tx = db.transaction("records", "readwrite");
  const r = await tx.store.get(id);
  let out = null;
  if (r && r.state === "draft" && (r.owner === owner || (r.seen_at || 0) < Date.now() - DRAFT_STALE_MS)) {
    out = { ...r, owner, seen_at: Date.now() };
    await tx.store.put(out);
  }
  await tx.done;
  return out;
}

export async function deleteDraft(db, id) {
  const tx = db.transaction("records", "readwrite");
  const r = await tx.store.get(id);
  if (r && r.state === "draft") await tx.store.delete(id);
  await tx.done;
}

// Freezes a draft into the queue with the exact bytes to send. Returns the
// queued record, or null when the draft is no longer a draft (queued from
// another tab meanwhile).
export async function queueDraft(db, id, record, fields) {
  const tx = db.transaction("records", "readwrite");
  const r = await tx.store.get(id);
  if (!r || r.state !== "draft") {
    await tx.done;
    return null;
  }
  const q = { ...r, fields, state: "queued", body: JSON.stringify(record), queued_at: Date.now(), attempts: 0, next_at: 0, last_error: null };
  await tx.store.put(q);
  await tx.done;
  return q;
}

export async function allRecords(db) {
  const rs = await db.getAll("records");
  return rs.filter((r) => r.state !== "draft").sort((a, b) => (b.queued_at || b.created_at) - (a.queued_at || a.created_at));
}

// Records waiting to be sent (queued, or sent without an answer), oldest
// first.
export async function pending(db) {
  const q = await db.getAllFromIndex("records", "state", "queued");
  const s = await db.getAllFromIndex("records", "state", "sent");
  return [...q, ...s].sort((a, b) => a.queued_at - b.queued_at || (a.id < b.id ? -1 : 1));
}

// Applies changes to records in one transaction: updates[id] is merged into
// the stored record, but only while it is still in one of the states
// `from` names (a record another tab logged meanwhile stays logged).
export async function update(db, updates, from = ["queued", "sent"]) {
  const tx = db.transaction("records", "readwrite");
  for (const [id, change] of Object.entries(updates)) {
    const r = await tx.store.get(id);
    if (r && from.includes(r.state)) await tx.store.put({ ...r, ...change });
  }
  await tx.done;
}

// A refused record sent again as it was (the same id and bytes), when the
// monitor asks: the reason may have gone (a checkpoint added since).
export async function requeue(db, id) {
  const tx = db.transaction("records", "readwrite");
  const r = await tx.store.get(id);
  if (r && r.state === "refused") await tx.store.put({ ...r, state: "queued", attempts: 0, next_at: 0, hold: null });
  await tx.done;
}

export async function discard(db, id) {
  const tx = db.transaction("records", "readwrite");
  const r = await tx.store.get(id);
  if (r && r.state === "refused") await tx.store.delete(id);
  await tx.done;
}

// Lets the oldest logged receipts go, past KEEP_LOGGED.
export async function pruneLogged(db) {
  const logged = await db.getAllFromIndex("records", "state", "logged");
  if (logged.length <= KEEP_LOGGED) return;
  logged.sort((a, b) => a.logged_at - b.logged_at);
  const tx = db.transaction("records", "readwrite");
  for (const r of logged.slice(0, logged.length - KEEP_LOGGED)) {
    const cur = await tx.store.get(r.id);
    if (cur && cur.state === "logged") await tx.store.delete(r.id);
  }
  await tx.done;
}

// A lease on sending, for browsers without the Web Locks API: one tab at a
// time may send. The check and the claim are one IndexedDB transaction, and
// transactions on a store run one after another, so two tabs cannot both
// win. A tab that dies leaves a lease that runs out after ms.
export async function claimLease(db, owner, ms) {
  const tx = db.transaction("meta", "readwrite");
  const cur = await tx.store.get("sender");
  const now = Date.now();
  let ok = false;
  if (!cur || cur.owner === owner || cur.until <= now) {
    await tx.store.put({ key: "sender", owner, until: now + ms });
    ok = true;
  }
  await tx.done;
  return ok;
}

export async function releaseLease(db, owner) {
  const tx = db.transaction("meta", "readwrite");
  const cur = await tx.store.get("sender");
  if (cur && cur.owner === owner) await tx.store.delete("sender");
  await tx.done;
}

export async function getMeta(db, key) {
  return (await db.get("meta", key)) || null;
}

export async function setMeta(db, key, value) {
  await db.put("meta", { key, ...value });
}
