import { postJson } from "../common/api.js";
import { claimLease, pending, pruneLogged, releaseLease, update } from "./outbox.js";

// Sends the outbox: batches of queued records to POST /api/v1/records, each
// record's frozen bytes as they were queued. It never gives up: a record
// leaves the queue only for "logged" (the server's receipt names it) or
// "refused" (the server's 422 or 409 names it). Anything else (no answer,
// a timeout, 5xx, 507, 429) leaves the batch queued and waits, doubling
// the wait from 2 s up to 5 minutes (with jitter, so that many phones coming
// back at once do not knock together), and tries at once when the browser
// says it is online again or the monitor gives a new token.
//
// One tab sends at a time: the Web Locks API where the browser has it, and
// always a lease in IndexedDB (claimLease), so that even without locks no
// two tabs send the same record at once. A second send of a record would be
// harmless (the same id and bytes is a duplicate), but it would be a second
// request over a bad connection for nothing.

export const BACKOFF_BASE_MS = 2000;
export const BACKOFF_CAP_MS = 5 * 60 * 1000;
const BATCH = 50;
const LEASE_MS = 45000;
const REQUEST_TIMEOUT_MS = 30000;

export function backoffDelay(attempts, random = Math.random) {
  const d = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(d * (0.5 + 0.5 * random()));
}

function summary(errors) {
  return errors
    .map((e) => e.message || [e.field && `${e.field}:`, e.expected && `expected ${e.expected}`, e.got !== undefined && `got ${JSON.stringify(e.got)}`].filter(Boolean).join(" "))
    .filter(Boolean)
    .join("; ");
}

export class Sender {
  // db: the open outbox; token(): the device's token; onChange(): the
  // outbox changed (redraw); onStatus({kind, text}): the connection's state
  // for the monitor.
  constructor({ db, token, onChange, onStatus, endpoint = "/api/v1/records" }) {
    this.db = db;
    this.token = token;
    this.onChange = onChange || (() => {});
    this.onStatus = onStatus || (() => {});
    this.endpoint = endpoint;
    this.owner = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    this.timer = null;
    this.running = false;
    this.again = false;
    this.single = false; // send one record a request after an answer that named none
    this.batchLimit = BATCH;
  }

  // Try now (and whenever a try is asked while one runs, once more after).
  kick() {
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = null;
    this.running = true;
    this.run()
      .catch((e) => this.onStatus({ kind: "error", text: `outbox: ${e.message}` }))
      .finally(() => {
        this.running = false;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  // Try every waiting record now, whatever its backoff said: the browser
  // is online again, or the monitor asked. Records held for their token
  // (401, 403) wait for a new token (tokenChanged), or their slow retry.
  sendNow() {
    this.due({ holds: false }).then(() => this.kick());
  }

  // A new token: every waiting record goes at once, those held for the old
  // token too.
  tokenChanged() {
    this.due({ holds: true }).then(() => this.kick());
  }

  async due({ holds }) {
    const ups = {};
    for (const r of await pending(this.db)) {
      if (r.hold && !holds) continue;
      ups[r.id] = { hold: null, next_at: 0 };
    }
    await update(this.db, ups);
    this.onChange();
  }

  async schedule() {
    const p = await pending(this.db);
    if (!p.length) return;
    const next = Math.min(...p.map((r) => r.next_at || 0));
    const wait = Math.max(500, next - Date.now());
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), wait);
  }

  async run() {
    if (navigator.locks && navigator.locks.request) {
      await navigator.locks.request("passage-outbox-send", { ifAvailable: true }, async (lock) => {
        if (!lock) {
          // Another tab sends; look again later in case it goes away.
          this.retryOtherTab();
          return;
        }
        await this.withLease();
      });
    } else {
      await this.withLease();
    }
  }

  retryOtherTab() {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.kick(), 10000);
  }

  async withLease() {
    if (!(await claimLease(this.db, this.owner, LEASE_MS))) {
      this.retryOtherTab();
      return;
    }
    try {
      await this.drain();
    } finally {
      await releaseLease(this.db, this.owner);
    }
  }

  async drain() {
    for (let round = 0; round < 1000; round++) {
      const now = Date.now();
      const due = (await pending(this.db)).filter((r) => (r.next_at || 0) <= now);
      if (!due.length) return;
      const batch = due.slice(0, this.single ? 1 : this.batchLimit);
      if (!(await claimLease(this.db, this.owner, LEASE_MS))) return;
      const stop = await this.sendBatch(batch);
      await pruneLogged(this.db);
      this.onChange();
      if (stop) return;
    }
  }

  // Sends one batch and records the answer. Returns true when sending
  // should pause (no answer, or an answer that holds every record).
  async sendBatch(batch) {
    const now = Date.now();
    const ids = batch.map((r) => r.id);
    await update(this.db, Object.fromEntries(ids.map((id) => [id, { state: "sent", sent_at: now }])));
    this.onChange();
    // The records' bytes as they were frozen, joined without re-encoding.
    const body = `{"records":[${batch.map((r) => r.body).join(",")}]}`;
    let res;
    try {
      res = await postJson(this.endpoint, body, this.token(), REQUEST_TIMEOUT_MS);
    } catch (e) {
      await this.wait(batch, e.message);
      this.onStatus({ kind: "offline", text: `Not sent: ${e.message}. The records stay queued and are sent when the server answers.` });
      return true;
    }
    const { status, body: answer } = res;
    if (status === 200 && answer && Array.isArray(answer.receipts)) return this.logged(batch, answer);
    const errors = Array.isArray(answer?.errors) ? answer.errors : [];
    const message = answer?.error?.message || summary(errors) || `HTTP ${status}`;
    if (status === 422 || status === 409) return this.refused(batch, status, errors, message);
    if (status === 413 && batch.length > 1) {
      this.batchLimit = Math.max(1, Math.floor(batch.length / 2));
      await update(this.db, Object.fromEntries(ids.map((id) => [id, { state: "queued" }])));
      return false;
    }
    if ((status === 413 || status === 400 || status === 415) && batch.length === 1) return this.refused(batch, status, errors, message);
    if (status === 400 || status === 415) {
      this.single = true;
      await update(this.db, Object.fromEntries(ids.map((id) => [id, { state: "queued" }])));
      return false;
    }
    if (status === 401 || status === 403) {
      // The records are sound; the token may not write them. They wait,
      // queued, for a token that may (tokenChanged).
      if (status === 403 && batch.length > 1) {
        this.single = true; // find which checkpoint the token may not write
        await update(this.db, Object.fromEntries(ids.map((id) => [id, { state: "queued" }])));
        return false;
      }
      const why = status === 401 ? `the token was not accepted (${message}): paste a valid token` : `this token may not write this record (${message})`;
      // Held, they are still tried now and then (the longest wait), in case
      // the refusal was the server's passing state.
      await update(this.db, Object.fromEntries(batch.map((r) => [r.id, { state: "queued", hold: "token", last_error: why, attempts: (r.attempts || 0) + 1, next_at: Date.now() + BACKOFF_CAP_MS }])));
      this.onStatus({ kind: "error", text: `Waiting: ${why}.` });
      return status === 401;
    }
    await this.wait(batch, `the server answered ${status}: ${message}`);
    this.onStatus({ kind: "error", text: `Not stored yet: the server answered ${status} (${message}). The records stay queued.` });
    return true;
  }

  async wait(batch, why) {
    const ups = {};
    for (const r of batch) {
      const attempts = (r.attempts || 0) + 1;
      ups[r.id] = { state: "queued", attempts, last_error: why, next_at: Date.now() + backoffDelay(attempts) };
    }
    await update(this.db, ups);
  }

  async logged(batch, answer) {
    const byId = new Map(answer.receipts.map((x) => [x.id, x]));
    const ups = {};
    const missing = [];
    for (const r of batch) {
      const rc = byId.get(r.id);
      if (rc) ups[r.id] = { state: "logged", seq: rc.seq, leaf_hash: rc.leaf_hash ?? null, tree_size: answer.tree_size ?? null, logged_at: Date.now(), last_error: null, hold: null };
      else missing.push(r.id);
    }
    // A record the answer did not name is not known to be stored: it stays
    // queued and goes again (a duplicate at worst, answered with its receipt).
    for (const id of missing) ups[id] = { state: "queued", next_at: 0 };
    await update(this.db, ups);
    this.single = false;
    this.onStatus({ kind: "ok", text: `Logged ${batch.length - missing.length} record${batch.length - missing.length === 1 ? "" : "s"}; the log has ${answer.tree_size ?? "?"} entries.` });
    return false;
  }

  async refused(batch, status, errors, message) {
    // A batch is all or nothing: the records an error names are refused,
    // the others were not stored either and go again at once.
    const named = new Map();
    for (const e of errors) {
      const i = Number.isInteger(e.index) ? e.index : batch.findIndex((r) => r.id === e.id);
      if (i >= 0 && i < batch.length) {
        if (!named.has(i)) named.set(i, []);
        named.get(i).push(e);
      }
    }
    if (!named.size && batch.length > 1) {
      this.single = true;
      await update(this.db, Object.fromEntries(batch.map((r) => [r.id, { state: "queued" }])));
      return false;
    }
    const ups = {};
    batch.forEach((r, i) => {
      const errs = named.get(i) || (batch.length === 1 ? errors : null);
      if (errs || batch.length === 1) {
        ups[r.id] = { state: "refused", refusal: { status, message: (errs && summary(errs)) || message, errors: errs || [] }, refused_at: Date.now() };
      } else ups[r.id] = { state: "queued", next_at: 0 };
    });
    await update(this.db, ups);
    return false;
  }
}
