import { getJson, getText, ApiError, authHeaders, fetchWithTimeout, apiUrl } from "../common/api.js";
import { el, time } from "../common/format.js";
import { checkCheckpoint, checkEntry } from "../common/verify.js";

// The panel that checks, in this browser, what the page shows against the
// log: the latest checkpoint's signature by the log's key and the
// witnesses' cosignatures, and, for a record the user picks (an id in the
// log or events panel, the records behind a disputed figure, or one
// searched by id), its entry's inclusion in that checkpoint's tree. It says
// "verified in this browser" only when every check passed, and what failed
// otherwise. The keys come from /api/v1/status, and this browser keeps the
// first it saw (per log): a server that hands out other keys later is
// refused, since checking a server's signatures with keys that server
// chose proves nothing (docs/verifying.md).

const VERIFIED = "verified in this browser";
const keysKey = (origin) => `passage.dashboard.keys.${origin}`;

// The keys to check with: those kept in this browser for this log, or the
// server's, kept now, on first sight.
function pinnedKeys(status) {
  const origin = status?.corridor?.log || "";
  const served = { log: status?.keys?.log ?? null, witnesses: status?.keys?.witnesses ?? [] };
  let kept = null;
  try {
    kept = JSON.parse(localStorage.getItem(keysKey(origin)) || "null");
  } catch {
    kept = null;
  }
  if (!served.log) return { origin, keys: kept, served, changed: false, first: false };
  if (!kept) {
    kept = { ...served, since: new Date().toISOString() };
    try {
      localStorage.setItem(keysKey(origin), JSON.stringify(kept));
    } catch {
      /* private mode: checked with the server's, said so below */
    }
    return { origin, keys: kept, served, changed: false, first: true };
  }
  const same = kept.log === served.log && JSON.stringify(kept.witnesses) === JSON.stringify(served.witnesses);
  return { origin, keys: kept, served, changed: !same, first: false };
}

const state = { ctx: null, check: null, body: null, pins: null };

function verdict(ok, text) {
  return el("p", { class: ok ? "verdict ok" : "verdict bad", "data-verdict": ok ? "verified" : "failed" }, ok ? `✓ ${text}` : `✗ ${text}`);
}

function renderCheckpoint(box, c, pins) {
  box.replaceChildren();
  if (!pins.keys?.log) {
    box.append(verdict(false, "not verified: the server names no log key (it holds no signing key), so there is no signed checkpoint to check"));
    return;
  }
  if (pins.changed) {
    box.append(
      verdict(false, `not verified: the server's keys differ from those this browser kept on ${time(new Date(pins.keys.since))}`),
      el("p", { class: "note" }, `Kept: ${pins.keys.log}${pins.keys.witnesses.length ? `, witnesses ${pins.keys.witnesses.map((w) => w.name).join(", ")}` : ""}. Served now: ${pins.served.log}. If the parties announced new keys, forget the kept ones; otherwise this server is not the log you knew.`),
      el(
        "button",
        {
          type: "button",
          class: "small",
          onclick: () => {
            localStorage.removeItem(keysKey(pins.origin));
            refreshPanel();
          },
        },
        "Forget the kept keys",
      ),
    );
    return;
  }
  if (c.ok) {
    box.append(verdict(true, `${VERIFIED}: the checkpoint of ${c.checkpoint.size} entries`));
  } else {
    box.append(verdict(false, "the checkpoint is not verified"), el("ul", { class: "problems" }, c.problems.map((p) => el("li", {}, p))));
  }
  const items = [el("li", {}, c.log ? `signed by the log's key ${pins.keys.log.split("+")[0]}` : "the log's signature: failed")];
  for (const w of c.witnesses) items.push(el("li", { "data-witness": w.name }, w.ok ? `cosigned by witness ${w.name} at ${new Date(w.time * 1000).toISOString().replace(".000", "")}` : `witness ${w.name}: ${w.problem}`));
  if (!c.witnesses.length) items.push(el("li", {}, "the corridor names no witness: only the log's own signature vouches for this tree"));
  if (c.checkpoint) items.push(el("li", { class: "mono" }, `root ${btoa(String.fromCharCode(...c.checkpoint.root))}`));
  box.append(el("ul", { class: "checks" }, items));
  box.append(el("p", { class: "note" }, `${pins.first ? "The keys were kept in this browser now, as the server gave them; later visits check with these." : `Checked with the keys this browser kept on ${time(new Date(pins.keys.since))}.`} Quorum: ${c.quorum} of ${c.witnesses.length} witnesses.`));
}

// The entry's bytes at index: the log's own (a party, analyst or admin, or
// a log the corridor publishes), else the record as the records API gives
// it (kind needed: events are public where the corridor publishes them).
async function entryBytes(ctx, index, kind) {
  const token = ctx.token;
  try {
    const text = await getText("/log/entries", { start: index, end: index + 1 }, token);
    return new TextEncoder().encode(text.endsWith("\n") ? text.slice(0, -1) : text);
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 401 && e.status !== 403) || !kind) throw e;
  }
  const url = apiUrl("/api/v1/records", { kind, cursor: index, limit: 1, format: "jsonl" });
  const res = await fetchWithTimeout(url, { headers: { Accept: "application/x-ndjson", ...authHeaders(token) } });
  if (!res.ok) throw new ApiError(res.status, res.status === 401 || res.status === 403 ? "its bytes are not published to this token: the log's raw entries need a party's or an analyst's token" : `${res.status}`);
  const line = (await res.text()).split("\n")[0];
  return new TextEncoder().encode(line);
}

async function checkOne(ctx, c, { id, kind }) {
  const out = { id, kind, ok: false, problems: [], seq: null };
  if (!c?.ok) {
    out.problems.push("the checkpoint did not verify, so no record can be checked against it");
    return out;
  }
  let proof;
  try {
    proof = await getJson("/log/proof/inclusion", { id, kind, size: c.checkpoint.size }, ctx.token);
  } catch (e) {
    out.problems.push(e.status === 404 ? `no record ${id} in the tree of the checkpoint (${c.checkpoint.size} entries): a newer one waits for the next checkpoint` : `the proof: ${e.message}`);
    return out;
  }
  out.seq = proof.leaf_index;
  let bytes;
  try {
    bytes = await entryBytes(ctx, proof.leaf_index, kind);
  } catch (e) {
    out.problems.push(`the entry: ${e.message}`);
    return out;
  }
  const r = checkEntry(bytes, proof, c.checkpoint, { id });
  out.ok = r.ok;
  out.problems.push(...r.problems);
  out.leaf = btoa(String.fromCharCode(...r.leaf));
  return out;
}

function renderRecords(box, results) {
  box.replaceChildren(
    el(
      "ul",
      { class: "record-checks" },
      results.map((r) =>
        el(
          "li",
          { "data-record": r.id, "data-verdict": r.ok ? "verified" : "failed" },
          r.ok ? verdict(true, `${VERIFIED}: record ${r.id} is entry ${r.seq} of the checkpoint's tree`) : verdict(false, `record ${r.id} is not verified`),
          r.ok ? el("small", { class: "mono" }, `leaf ${r.leaf}`) : el("ul", { class: "problems" }, r.problems.map((p) => el("li", {}, p))),
        ),
      ),
    ),
  );
}

// Checks the records (each {id, kind}) and shows each verdict.
export async function checkRecords(records) {
  if (!state.body) return;
  const box = state.body.querySelector(".record-result");
  const ctx = state.ctx;
  box.replaceChildren(el("p", { class: "note" }, `checking ${records.length === 1 ? records[0].id : `${records.length} records`}…`));
  box.scrollIntoView?.({ block: "nearest" });
  const results = [];
  for (const r of records.slice(0, 50)) results.push(await checkOne(ctx, state.check, r));
  renderRecords(box, results);
}

async function load(ctx) {
  const pins = pinnedKeys(ctx.status);
  let note = null;
  let problem = null;
  try {
    note = await getText("/checkpoint", {}, null);
  } catch (e) {
    problem = e.status === 404 ? "the server keeps no checkpoint yet" : `the checkpoint could not be had: ${e.message}`;
  }
  const c = note ? checkCheckpoint(note, { logKey: pins.keys?.log, witnesses: pins.keys?.witnesses || [], origin: ctx.status?.corridor?.log }) : { ok: false, problems: [problem], witnesses: [], quorum: 0 };
  return { pins, c };
}

async function refreshPanel() {
  if (!state.ctx || !state.body) return;
  const data = await load(state.ctx);
  render(state.body, data, state.ctx);
}

function render(body, { pins, c }, ctx) {
  state.ctx = ctx;
  state.check = c;
  state.pins = pins;
  state.body = body;
  body.replaceChildren();
  const cp = el("div", { class: "checkpoint-result" });
  renderCheckpoint(cp, c, pins);
  const form = el(
    "form",
    {
      class: "record-form",
      onsubmit: (ev) => {
        ev.preventDefault();
        const id = ev.currentTarget.elements.id.value.trim();
        const kind = ev.currentTarget.elements.kind.value.trim() || undefined;
        if (id) checkRecords([{ id, kind }]);
      },
    },
    el("label", {}, "record id ", el("input", { name: "id", autocomplete: "off", spellcheck: "false" })),
    el("label", {}, "kind ", el("input", { name: "kind", placeholder: "any", size: "8" })),
    el("button", { type: "submit", class: "small" }, "Check"),
  );
  body.append(cp, el("h3", {}, "A record"), form, el("div", { class: "record-result" }, el("p", { class: "note" }, "Pick an id in the log or the events, the records behind a disputed figure, or type one: its entry is hashed here and its inclusion proof checked against the checkpoint above.")));
}

export const verifyPanel = { id: "verify", title: "Checked in this browser", load, render, csv: null };
