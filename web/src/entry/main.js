import "../common/style.css";
import { getJson } from "../common/api.js";
import { el, time } from "../common/format.js";
import { loadToken, saveToken, takeTokenFromFragment } from "../common/token.js";
import { adoptDraft, allRecords, currentDraft, deleteDraft, discard, DRAFT_STALE_MS, newDraft, openOutbox, orphanDrafts, queueDraft, requeue, saveDraft, SCHEMA, touchDraft } from "./outbox.js";
import { Sender } from "./sender.js";

// The entry page: a monitor's form for one flow record, and the outbox of
// what this device has recorded (outbox.js), sent by sender.js. It works
// offline once loaded (the service worker, sw.js, keeps its files), keeps
// the checkpoints it last saw, and never loses a record it queued.

/* global __BUILD_ID__ */
const BUILD_ID = __BUILD_ID__;
const TOKEN_KEY = "passage.entry.token";
const CORRIDOR_KEY = "passage.entry.corridor";
const STICKY_KEY = "passage.entry.sticky";
const SETTINGS_KEY = "passage.entry.settings";
// This tab's id: its drafts are its own (outbox.js). sessionStorage keeps
// it across reloads of the tab, and only there.
const TAB_ID = sessionStorage.getItem("passage.entry.tab") || `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
sessionStorage.setItem("passage.entry.tab", TAB_ID);
const channel = "BroadcastChannel" in self ? new BroadcastChannel("passage-outbox") : null;

const $ = (id) => document.getElementById(id);
const form = () => $("record");
let db = null;
let draft = null;
let sender = null;
let token = "";

function readJson(key, dflt) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? dflt;
  } catch {
    return dflt;
  }
}

function setConn(kind, text) {
  const c = $("conn");
  c.dataset.state = kind;
  c.textContent = text;
}

function showBanner(text) {
  const b = $("banner");
  b.hidden = !text;
  b.textContent = text || "";
}

// ------------------------------------------------------------ corridor
// The unit of each of the corridor's categories, once the status named them.
let units = new Map();

function fillCheckpoints(corridor) {
  const sel = form().elements.checkpoint;
  const keep = sel.value;
  sel.replaceChildren(el("option", { value: "" }, "choose…"));
  for (const c of corridor?.checkpoints || []) sel.append(el("option", { value: c.id }, c.name || c.id));
  if (keep) sel.value = keep;
  if (corridor?.name) $("corridor-name").textContent = corridor.name;
  // The corridor's own categories (the status names them), in place of
  // the page's defaults, each with its name and unit; a category's unit is
  // taken when a cargo line names it.
  const cats = $("categories");
  const list = (corridor?.categories || []).map((c) => (typeof c === "string" ? { id: c } : c)).filter((c) => c.id);
  if (list.length) {
    cats.replaceChildren(...list.map((c) => el("option", { value: c.id }, c.name && c.name !== c.id ? c.name : "")));
    units = new Map(list.map((c) => [c.id, c.unit || "t"]));
  }
  fillStages(corridor?.stages);
}

// The corridor's stages; the counting one is the default and is left out
// of the record (the server takes it), so that a record made before the
// stages were offered has the same bytes.
function fillStages(stages) {
  const sel = form().elements.stage;
  if (!sel || !stages?.order?.length) return;
  const keep = sel.value;
  sel.replaceChildren(...stages.order.map((st) => el("option", { value: st === stages.counting ? "" : st }, st === stages.counting ? `${st} (counted)` : st)));
  sel.value = [...sel.options].some((o) => o.value === keep) ? keep : "";
  sel.closest("label").hidden = stages.order.length < 2;
}


function fillSources(sources) {
  const sel = $("settings-form").elements.source;
  const keep = readJson(SETTINGS_KEY, {}).source || "";
  sel.replaceChildren(el("option", { value: "" }, "none"));
  for (const s of sources || []) sel.append(el("option", { value: s.id }, s.name || s.id));
  sel.value = keep;
}

async function loadCorridor() {
  const cached = readJson(CORRIDOR_KEY, null);
  if (cached) {
    fillCheckpoints(cached.corridor);
    fillSources(cached.sources);
  }
  try {
    const st = await getJson("/api/v1/status", {}, token, 15000);
    const keep = { corridor: st.corridor, sources: st.sources, at: Date.now() };
    localStorage.setItem(CORRIDOR_KEY, JSON.stringify(keep));
    fillCheckpoints(st.corridor);
    fillSources(st.sources);
  } catch {
    if (!cached) showBanner("The checkpoints could not be loaded: connect once to the server so that this device learns them.");
  }
}

// ---------------------------------------------------------------- form
function localInput(ms) {
  const d = new Date(ms);
  const p = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

// "2023-04-23T09:15" in the device's zone, as an instant with its offset:
// the record says when it happened wherever the phone's clock is set.
function withOffset(local) {
  const d = new Date(local);
  if (Number.isNaN(d.getTime())) return null;
  const off = -d.getTimezoneOffset();
  const p = (n) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${local.length === 16 ? `${local}:00` : local}${off >= 0 ? "+" : "-"}${p(off / 60)}:${p(off % 60)}`;
}

function cargoLine(line = {}) {
  const row = el(
    "div",
    { class: "cargo-line" },
    el(
      "label",
      {},
      "category",
      el("input", {
        name: "cargo-category",
        list: "categories",
        value: line.category || "",
        onchange: (ev) => {
          const u = units.get(ev.currentTarget.value.trim());
          if (u) row.querySelector("[name=cargo-unit]").value = u;
        },
      }),
    ),
    el("label", {}, "quantity", el("input", { name: "cargo-quantity", type: "number", inputmode: "decimal", min: "0", step: "any", value: line.quantity ?? "" })),
    el("label", {}, "unit", el("input", { name: "cargo-unit", value: line.unit || "t" })),
    el("button", { type: "button", class: "small secondary", "aria-label": "remove this cargo line", onclick: () => (row.remove(), changed()) }, "×"),
  );
  return row;
}

function readForm() {
  const f = form().elements;
  const cargo = [...$("cargo").querySelectorAll(".cargo-line")].map((row) => ({
    category: row.querySelector("[name=cargo-category]").value.trim(),
    quantity: row.querySelector("[name=cargo-quantity]").value.trim(),
    unit: row.querySelector("[name=cargo-unit]").value.trim(),
  }));
  return {
    checkpoint: f.checkpoint.value,
    direction: f.direction.value,
    vehicle: f.vehicle.value,
    vehicles: f.vehicles.value.trim(),
    persons: f.persons.value.trim(),
    outcome: f.outcome.value,
    stage: f.stage ? f.stage.value : "",
    start: f.start.value,
    note: f.note.value,
    cargo,
  };
}

function writeForm(fields) {
  const f = form().elements;
  f.checkpoint.value = fields.checkpoint || "";
  for (const r of f.direction) r.checked = r.value === fields.direction;
  f.vehicle.value = fields.vehicle || "truck";
  f.vehicles.value = fields.vehicles ?? "";
  f.persons.value = fields.persons ?? "";
  f.outcome.value = fields.outcome || "passed";
  if (f.stage) f.stage.value = fields.stage || "";
  f.start.value = fields.start || localInput(draft.created_at);
  f.note.value = fields.note || "";
  $("cargo").replaceChildren(...(fields.cargo || []).map(cargoLine));
  $("draft-id").textContent = draft.id;
}

// The record as the API takes it (POST /api/v1/records), or the first
// problem a person must fix. Counts are whole numbers; a cargo line needs
// its category; empty fields are left out, never sent as zero.
export function buildRecord(id, fields, settings) {
  const rec = { kind: "flow", id };
  if (!fields.checkpoint) return { error: "Choose the checkpoint." };
  if (fields.direction !== "in" && fields.direction !== "out") return { error: "Choose the direction: in or out." };
  const start = withOffset(fields.start);
  if (!start) return { error: "Give the time it happened." };
  rec.start = start;
  rec.checkpoint = fields.checkpoint;
  rec.direction = fields.direction;
  for (const k of ["vehicles", "persons"]) {
    if (fields[k] === "") continue;
    const n = Number(fields[k]);
    if (!Number.isInteger(n) || n < 0) return { error: `${k}: a whole number, 0 or more.` };
    rec[k] = n;
  }
  if (rec.vehicles !== undefined || fields.vehicle === "none") rec.vehicle = fields.vehicle;
  const cargo = [];
  for (const [i, c] of fields.cargo.entries()) {
    if (!c.category && c.quantity === "") continue;
    if (!c.category) return { error: `Cargo line ${i + 1}: name its category.` };
    const line = { category: c.category };
    if (c.quantity !== "") {
      const q = Number(c.quantity);
      if (!Number.isFinite(q) || q < 0) return { error: `Cargo line ${i + 1}: the quantity is a number, 0 or more.` };
      line.quantity = q;
      line.unit = c.unit || "t";
    }
    cargo.push(line);
  }
  if (cargo.length) rec.cargo = cargo;
  if (rec.vehicles === undefined && rec.persons === undefined && !cargo.length) return { error: "Count something: vehicles, persons or a cargo line." };
  rec.outcome = fields.outcome || "passed";
  if (fields.stage) rec.stage = fields.stage;
  if (fields.note.trim()) rec.note = fields.note.trim();
  if (settings.source) rec.source = settings.source;
  if (settings.grade) rec.grade = settings.grade.toUpperCase();
  return { record: rec };
}

let saveTimer = null;
function changed() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => draft && saveDraft(db, draft.id, readForm()), 250);
}

async function startDraft() {
  draft = await currentDraft(db, TAB_ID);
  if (!draft) {
    const sticky = readJson(STICKY_KEY, {});
    draft = await newDraft(db, { checkpoint: sticky.checkpoint, vehicle: sticky.vehicle, outcome: sticky.outcome, direction: sticky.direction }, TAB_ID);
  }
  writeForm(draft.fields || {});
}

// Something typed: more than the defaults every new draft starts with.
function typed(fields) {
  return Boolean(fields && (fields.vehicles || fields.persons || fields.note?.trim() || (fields.cargo || []).some((c) => c.category || c.quantity)));
}

// Drafts left by tabs that have gone: the empty ones are let go, the others
// listed with the outbox so that the monitor can carry on with them. An
// empty draft is let go only once it has not been seen for DRAFT_STALE_MS:
// this tab's next draft is made (startDraft) before `draft` names it, and a
// render in between, which the sender's answers cause at any moment, must
// not delete the draft the form is about to show (the record typed into
// it then went out under another id than the one shown, or was lost).
async function orphans() {
  const out = [];
  const stale = Date.now() - DRAFT_STALE_MS;
  for (const d of await orphanDrafts(db, TAB_ID, draft?.id)) {
    if (typed(d.fields)) out.push(d);
    else if ((d.seen_at || 0) < stale) await deleteDraft(db, d.id);
  }
  return out;
}

async function continueDraft(d) {
  const mine = await adoptDraft(db, d.id, TAB_ID);
  if (!mine) return;

  // The form's own draft stays as it was (listed in its turn if typed);
  // the adopted one, touched last, is the one this tab shows.
  if (draft && draft.id !== mine.id) await saveDraft(db, draft.id, readForm());
  await touchDraft(db, mine.id);
  draft = mine;
  writeForm(draft.fields || {});
  notify();
}

async function submit(ev) {
  ev.preventDefault();
  if (!draft || submitting) return; // the next draft is being made
  submitting = true;
  try {
    await queueForm();
  } finally {
    submitting = false;
  }
}

let submitting = false;
async function queueForm() {
  const err = $("form-error");
  const fields = readForm();
  const built = buildRecord(draft.id, fields, readJson(SETTINGS_KEY, {}));
  if (built.error) {
    err.hidden = false;
    err.textContent = built.error;
    return;
  }
  err.hidden = true;
  let q = await queueDraft(db, draft.id, built.record, fields);
  if (!q) {
    // The draft was queued meanwhile from another tab that had it (a tab
    // duplicated with its session): what was typed here is another record,
    // queued under a new id of its own.
    const d = await newDraft(db, fields, TAB_ID);
    q = await queueDraft(db, d.id, buildRecord(d.id, fields, readJson(SETTINGS_KEY, {})).record, fields);
  }
  localStorage.setItem(STICKY_KEY, JSON.stringify({ checkpoint: fields.checkpoint, vehicle: fields.vehicle, outcome: fields.outcome, direction: fields.direction }));
  draft = null;
  await startDraft();
  form().elements.vehicles.focus();
  notify();
  if (q) sender.kick();
}

// ------------------------------------------------------------- outbox
function describe(r) {
  const f = r.fields || {};
  const name = [...form().elements.checkpoint.options].find((o) => o.value === f.checkpoint)?.textContent || f.checkpoint;
  const parts = [];
  if (f.vehicles !== "" && f.vehicles !== undefined) parts.push(`${f.vehicles} × ${f.vehicle || "vehicle"}`);
  if (f.persons !== "" && f.persons !== undefined) parts.push(`${f.persons} persons`);
  for (const c of f.cargo || []) if (c.category) parts.push(`${c.category}${c.quantity !== "" ? ` ${c.quantity} ${c.unit || "t"}` : ""}`);
  if (f.outcome && f.outcome !== "passed") parts.push(f.outcome.replace("_", " "));
  return `${f.direction || "?"} · ${name} · ${parts.join(", ")} · ${(f.start || "").replace("T", " ")}`;
}

function stateLine(r) {
  if (r.state === "logged") return `logged as entry ${r.seq}${r.tree_size ? ` (log size ${r.tree_size})` : ""}`;
  if (r.state === "refused") return "refused";
  if (r.state === "sent") return "sent, waiting for the server";
  if (r.hold) return `queued: ${r.last_error}`;
  if (r.attempts) return `queued, tried ${r.attempts} time${r.attempts === 1 ? "" : "s"}; next try at ${time(new Date(r.next_at))}${r.last_error ? ` (${r.last_error})` : ""}`;
  return "queued";
}

// Renders run whenever the outbox changes, several at once: each reads
// first and then draws the whole list in one go, and only the latest
// started draws (an older one, finishing later, would show what was; two
// drawing into one list by turns showed a record twice).
let renders = 0;
async function render() {
  const mine = ++renders;
  const rs = await allRecords(db);
  const drafts = await orphans();
  if (mine !== renders) return;
  const ul = $("outbox");
  const items = [];
  for (const d of drafts) {
    items.push(
      el(
        "li",
        { "data-id": d.id, "data-state": "draft" },
        el("span", { class: "state" }, "draft"),
        el("span", {}, describe(d)),
        el("span", { class: "meta" }, "not queued: left in a tab that was closed"),
        el(
          "span",
          { class: "row" },
          el("button", { type: "button", class: "small secondary", onclick: () => continueDraft(d) }, "Continue in the form"),
          el("button", { type: "button", class: "small secondary", onclick: async () => confirm("Discard this draft? It was never queued.") && (await deleteDraft(db, d.id), notify()) }, "Discard"),
        ),
      ),
    );
  }
  const count = (s) => rs.filter((r) => r.state === s).length;
  const waiting = count("queued") + count("sent");
  $("outbox-summary").textContent = `${waiting} waiting to be logged, ${count("refused")} refused, ${count("logged")} logged.`;
  $("send-now").hidden = waiting === 0;
  for (const r of rs) {
    const li = el(
      "li",
      { "data-id": r.id, "data-state": r.state, "data-seq": r.seq ?? null },
      el("span", { class: "state" }, r.state),
      el("span", {}, describe(r)),
      el("span", { class: "meta" }, stateLine(r)),
      el("span", { class: "meta mono" }, r.id),
    );
    if (r.state === "refused") {
      li.append(
        el("span", { class: "why" }, `${r.refusal?.status === 409 ? "conflict" : "refused"}: ${r.refusal?.message || "no reason given"}`),
        el(
          "span",
          { class: "row" },
          el("button", { type: "button", class: "small secondary", onclick: () => copyToForm(r) }, "Copy into the form"),
          el("button", { type: "button", class: "small secondary", onclick: async () => (await requeue(db, r.id), notify(), sender.kick()) }, "Send again"),
          el("button", { type: "button", class: "small secondary", onclick: async () => confirm("Discard this record from this device? It was never logged.") && (await discard(db, r.id), notify()) }, "Discard"),
        ),
      );
    }
    items.push(li);
  }
  ul.replaceChildren(...items);
}

// A refused record's fields in the form, as a new draft (a new id: the
// corrected record is another record).
async function copyToForm(r) {
  if (draft) await saveDraft(db, draft.id, readForm());
  draft = await newDraft(db, { ...r.fields }, TAB_ID);
  writeForm(draft.fields);
  notify();
  form().scrollIntoView();
}

function notify() {
  render();
  channel && channel.postMessage({ type: "changed" });
}

// ------------------------------------------------------------- settings
function setupSettings() {
  const sf = $("settings-form");
  const s = readJson(SETTINGS_KEY, {});
  sf.elements.grade.value = s.grade || "";
  const tokenState = () => ($("token-state").textContent = token ? `A token is kept on this device (…${token.slice(-4)}).` : "No token on this device: records wait until one is given.");
  tokenState();
  if (!token) $("settings").open = true;
  sf.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const t = sf.elements.token.value.trim();
    if (t) token = saveToken(TOKEN_KEY, t);
    sf.elements.token.value = "";
    localStorage.setItem(SETTINGS_KEY, JSON.stringify({ source: sf.elements.source.value, grade: sf.elements.grade.value.trim() }));
    tokenState();
    sender.tokenChanged();
    loadCorridor();
  });
  $("forget-token").addEventListener("click", () => {
    token = saveToken(TOKEN_KEY, "");
    tokenState();
  });
}

// ------------------------------------------------------- service worker
async function setupServiceWorker() {
  if (!("serviceWorker" in navigator)) {
    showBanner("This connection is not secure (no https), so the browser will not keep this page for offline use. Records still wait on this device until they are logged.");
    return;
  }
  try {
    await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    // The outbox is open at this page's schema: a worker of this page's
    // version may now let go of older versions' files (see sw.js).
    const ready = () => {
      const sw = navigator.serviceWorker.controller;
      sw && sw.postMessage({ type: "outbox-ready", schema: SCHEMA, version: BUILD_ID });
    };
    await navigator.serviceWorker.ready;
    ready();
    navigator.serviceWorker.addEventListener("controllerchange", () => {
      ready();
      const v = document.querySelector('meta[name="passage-build"]')?.content;
      if (v !== BUILD_ID) return;
      showBanner("A new version of this page is ready: it is used from the next time the page opens. Nothing queued is lost.");
    });
  } catch (e) {
    console.warn("service worker:", e);
  }
}

async function main() {
  takeTokenFromFragment(TOKEN_KEY);
  token = loadToken(TOKEN_KEY);
  try {
    db = await openOutbox({
      onBlocked: () => showBanner("An older version of this page is open in another tab: close it so that this one can open the outbox."),
      onVersionChange: () => {
        showBanner("A newer version of this page is open in another tab; this one reloads.");
        setTimeout(() => location.reload(), 500);
      },
    });
  } catch (e) {
    showBanner(`The outbox cannot be opened (${e.name === "VersionError" ? "a newer version of this page has it: reload" : e.message}). Nothing in it is lost.`);
    return;
  }
  $("device-line").textContent = "records wait on this device until logged";
  setupSettings();
  sender = new Sender({
    db,
    token: () => token,
    onChange: notify,
    onStatus: ({ kind, text }) => setConn(kind, text),
  });
  const f = form();
  f.addEventListener("input", changed);
  f.addEventListener("change", changed);
  f.addEventListener("submit", submit);
  $("add-cargo").addEventListener("click", () => {
    $("cargo").append(cargoLine());
    changed();
  });
  await loadCorridor();
  await startDraft();
  setInterval(() => draft && touchDraft(db, draft.id), 10000);
  await render();
  channel && channel.addEventListener("message", () => render());
  window.addEventListener("online", () => {
    setConn("ok", "Online again: sending.");
    sender.sendNow();
  });
  $("send-now").addEventListener("click", () => sender.sendNow());
  window.addEventListener("offline", () => setConn("offline", "Offline: records are queued on this device."));
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && sender.sendNow());
  setConn(navigator.onLine ? "ok" : "offline", navigator.onLine ? "Ready." : "Offline: records are queued on this device.");
  sender.sendNow();
  setupServiceWorker();
  document.body.dataset.ready = "true";
}

main();
