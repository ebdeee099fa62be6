import "../common/style.css";
import { getJson, getText, parseRecords, apiUrl, authHeaders, fetchWithTimeout, ApiError } from "../common/api.js";
import { el, time } from "../common/format.js";
import { loadToken, saveToken, takeTokenFromFragment } from "../common/token.js";
import { downloadApi } from "../common/download.js";
import { openEventStream } from "../common/events.js";
import { PANELS } from "./panels.js";

// The dashboard: every panel asks the API as of one tree size (as_of=N, the
// size /api/v1/status gave), so all that the page shows at once comes from
// the same log, named in the last panel; when the event stream announces a
// larger tree, the page asks again as of the new size and redraws all the
// panels together. Filters live in the address's query string, so a view is
// shared as a link.

const TOKEN_KEY = "passage.dashboard.token";
const FILTERS = ["from", "to", "checkpoint", "source", "measure"];

const state = {
  token: "",
  status: null,
  shownSize: null, // the tree size the panels show
  announced: null, // the largest tree size the server announced
  fetchedAt: null,
  unreachableSince: null,
  stream: "connecting",
  streamDownSince: null,
  refreshing: false,
  again: false,
  charts: [],
  maps: [],
};

function readFilters() {
  const q = new URLSearchParams(location.search);
  const f = {};
  for (const k of FILTERS) f[k] = q.get(k) || "";
  return f;
}

function writeFilters(f, push) {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) q.set(k, f[k]);
  const url = `${location.pathname}${q.toString() ? `?${q}` : ""}${location.hash}`;
  if (url !== location.pathname + location.search + location.hash) history[push ? "pushState" : "replaceState"](null, "", url);
  document.getElementById("share-link").href = url;
}

// The period shown when the address names none: the whole span of the
// data, at most its last 366 days.
function effectiveFilters(f, status) {
  const out = { ...f };
  const span = status?.span || {};
  const today = new Date().toISOString().slice(0, 10);
  if (!out.to) out.to = span.to || today;
  if (!out.from) {
    const yearBack = new Date(Date.parse(`${out.to}T00:00:00Z`) - 365 * 86400000).toISOString().slice(0, 10);
    out.from = span.from && span.from > yearBack ? span.from : yearBack;
  }
  if (out.from > out.to) [out.from, out.to] = [out.to, out.from];
  if (!out.measure) out.measure = "vehicles";
  return out;
}

function fillFilterForm(f, status) {
  const form = document.getElementById("filters");
  const cps = status?.corridor?.checkpoints || [];
  const cpSel = form.elements.checkpoint;
  if (cpSel.options.length <= 1) for (const c of cps) cpSel.append(el("option", { value: c.id }, c.name || c.id));
  const srcSel = form.elements.source;
  if (srcSel.options.length <= 1) for (const s of status?.sources || []) srcSel.append(el("option", { value: s.id }, `${s.name || s.id}${s.grade ? ` (${s.grade})` : ""}`));
  const eff = effectiveFilters(f, status);
  form.elements.from.value = eff.from;
  form.elements.to.value = eff.to;
  cpSel.value = f.checkpoint;
  srcSel.value = f.source;
  form.elements.measure.value = eff.measure;
}

function banner() {
  const b = document.getElementById("banner");
  const asOf = state.shownSize === null ? "" : ` The figures below are as of tree size ${state.shownSize}, fetched at ${time(state.fetchedAt)}.`;
  let text = "";
  let kind = "";
  if (state.unreachableSince) {
    text = `The server cannot be reached (since ${time(state.unreachableSince)}).${asOf || " Nothing could be loaded yet."} Trying again.`;
    kind = "error";
  } else if (state.announced !== null && state.shownSize !== null && state.announced > state.shownSize && !state.refreshing) {
    text = `These figures are out of date: the log has grown to ${state.announced} entries.${asOf}`;
    kind = "warn";
  } else if (state.stream === "down" && state.streamDownSince && Date.now() - state.streamDownSince > 5000) {
    text = `Live updates are off (the event stream is down since ${time(new Date(state.streamDownSince))}); checking every 15 s.${asOf}`;
    kind = "warn";
  }
  b.hidden = !text;
  b.textContent = text;
  b.dataset.kind = kind;
  const live = document.getElementById("live");
  live.dataset.state = state.unreachableSince ? "down" : state.stream;
  live.textContent = state.unreachableSince ? "unreachable" : state.stream === "live" ? "live" : state.stream === "down" ? "not live" : "connecting";
}

function makeCtx(status, filters, asOf) {
  const cache = new Map();
  const token = state.token;
  const memo = (key, f) => {
    if (!cache.has(key)) cache.set(key, f());
    return cache.get(key);
  };
  return {
    status,
    filters,
    asOf,
    token,
    checkpoints: status?.corridor?.checkpoints || [],
    charts: [],
    maps: [],
    shared: {},
    get: (path, params = {}) => {
      const p = { ...params, as_of: asOf };
      return memo(apiUrl(path, p), () => getJson(path, p, token));
    },
    text: (path, params = {}) => memo(apiUrl(path, params), () => getText(path, params, token)),
    // Records as JSON Lines of their canonical bytes, page by page: the
    // next page's cursor comes in the X-Next-Cursor header.
    records: async (params) => {
      const url = apiUrl("/api/v1/records", { ...params, format: "jsonl" });
      const page = await memo(url, async () => {
        const res = await fetchWithTimeout(url, { headers: { Accept: "application/x-ndjson", ...authHeaders(token) } });
        if (!res.ok) {
          let msg = `${res.status}`;
          try {
            msg = (await res.json())?.error?.message || msg;
          } catch {
            /* the status */
          }
          throw new ApiError(res.status, msg);
        }
        return { text: await res.text(), next: res.headers.get("X-Next-Cursor") };
      });
      const parsed = parseRecords(page.text);
      return { records: parsed.records, next: page.next || parsed.next };
    },
  };
}

function panelShell(p) {
  const section = el("section", { class: "panel", id: `panel-${p.id}`, "data-panel": p.id, "aria-busy": "true" });
  const head = el("header", {}, el("h2", {}, p.title));
  if (p.csv) {
    head.append(
      el(
        "button",
        {
          type: "button",
          class: "small csv",
          "data-csv": p.id,
          onclick: async (ev) => {
            const ctx = state.lastCtx;
            if (!ctx) return;
            const { path, params } = p.csv(ctx);
            const btn = ev.currentTarget;
            btn.disabled = true;
            try {
              const prm = { ...params, format: "hxl" };
              if (path !== "/api/v1/records") prm.as_of = ctx.asOf;
              await downloadApi(path, prm, state.token, `passage-${p.id}-${ctx.filters.from}-${ctx.filters.to}-size${ctx.asOf}.csv`);
            } catch (e) {
              alert(`The download failed: ${e.message}`);
            } finally {
              btn.disabled = false;
            }
          },
        },
        "CSV (HXL)",
      ),
    );
  }
  section.append(head, el("div", { class: "panel-body" }));
  return section;
}

function explain(e) {
  if (e.status === 401 || e.status === 403)
    return state.token ? `This token may not read this (${e.message}).` : "Not published to the public. An analyst can paste a token (the Token button above).";
  if (e.status === 404 || e.status === 501) return "This server does not offer it (yet).";
  if (e.status === 0) return `Could not be loaded: ${e.message}.`;
  return `The server refused: ${e.message}.`;
}

async function refresh() {
  if (state.refreshing) {
    state.again = true;
    return;
  }
  state.refreshing = true;
  try {
    let status;
    try {
      status = await getJson("/api/v1/status", {}, state.token, 15000);
    } catch (e) {
      if (e.status === 0) {
        state.unreachableSince ??= new Date();
        return;
      }
      throw e;
    }
    state.unreachableSince = null;
    const first = !state.status;
    state.status = status;
    if (first) {
      document.getElementById("corridor-name").textContent = status.corridor?.name || "Passage";
      document.title = `${status.corridor?.name || "Passage"}: dashboard`;
      fillFilterForm(readFilters(), status);
    }
    const span = status.span || {};
    document.getElementById("corridor-sub").textContent = [status.corridor?.timezone && `days in ${status.corridor.timezone}`, span.to && `data ${span.from ?? "?"} to ${span.to}`].filter(Boolean).join(" · ");
    const n = status.tree_size;
    const filters = effectiveFilters(readFilters(), status);
    // The same log, filters and token as what is shown: nothing to redraw
    // (the 15-second look while the stream is down finds this mostly).
    const key = JSON.stringify([n, filters, state.token]);
    if (key === state.shownKey) return;
    const ctx = makeCtx(status, filters, n);
    const results = await Promise.allSettled(PANELS.map((p) => p.load(ctx)));
    if (results.some((r) => r.status === "rejected" && r.reason?.status === 0)) {
      state.unreachableSince ??= new Date();
      return; // keep what is shown; the next try redraws everything at once
    }
    for (const c of state.charts) c.destroy();
    for (const m of state.maps) m.remove();
    PANELS.forEach((p, i) => {
      const section = document.getElementById(`panel-${p.id}`);
      const body = section.querySelector(".panel-body");
      body.replaceChildren();
      const r = results[i];
      try {
        if (r.status === "fulfilled") p.render(body, r.value, ctx);
        else body.append(el("p", { class: r.reason?.status === 404 || r.reason?.status === 501 ? "panel-absent" : "panel-error" }, explain(r.reason)));
      } catch (e) {
        console.error(`panel ${p.id}:`, e);
        body.replaceChildren(el("p", { class: "panel-error" }, `This panel could not be drawn: ${e.message}`));
      }
      section.setAttribute("aria-busy", "false");
      section.dataset.asOf = String(n);
    });
    state.charts = ctx.charts;
    state.maps = ctx.maps;
    state.lastCtx = ctx;
    state.shownSize = n;
    state.shownKey = key;
    state.fetchedAt = new Date();
    document.body.dataset.treeSize = String(n);
  } catch (e) {
    console.error(e);
  } finally {
    state.refreshing = false;
    banner();
    if (state.again) {
      state.again = false;
      refresh();
    } else if (state.announced !== null && state.shownSize !== null && state.announced > state.shownSize) {
      setTimeout(refresh, 2000); // the refresh failed to reach what was announced
    }
  }
}

function setupToken() {
  takeTokenFromFragment(TOKEN_KEY);
  state.token = loadToken(TOKEN_KEY);
  const btn = document.getElementById("token-button");
  const dlg = document.getElementById("token-dialog");
  const form = document.getElementById("token-form");
  const label = () => (btn.textContent = state.token ? "Token ✓" : "Token");
  label();
  btn.addEventListener("click", () => {
    form.elements.token.value = "";
    dlg.showModal();
  });
  dlg.addEventListener("close", () => {
    if (dlg.returnValue === "save") state.token = saveToken(TOKEN_KEY, form.elements.token.value);
    else if (dlg.returnValue === "forget") state.token = saveToken(TOKEN_KEY, "");
    else return;
    label();
    state.status = null;
    refresh();
  });
}

function setupFilters() {
  const form = document.getElementById("filters");
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const f = {};
    for (const k of FILTERS) f[k] = form.elements[k].value;
    if (f.measure === "vehicles") f.measure = "";
    writeFilters(f, true);
    refresh();
  });
  for (const name of ["checkpoint", "source", "measure"]) form.elements[name].addEventListener("change", () => form.requestSubmit());
  window.addEventListener("popstate", () => {
    fillFilterForm(readFilters(), state.status);
    refresh();
  });
  writeFilters(readFilters(), false);
}

function setupLive() {
  openEventStream({
    token: () => state.token,
    onTree: (t) => {
      if (typeof t.tree_size !== "number") return;
      state.announced = Math.max(state.announced ?? 0, t.tree_size);
      if (state.shownSize === null ? !state.refreshing : t.tree_size > state.shownSize) refresh();
      banner();
    },
    onState: (s) => {
      state.stream = s;
      if (s === "down") state.streamDownSince ??= Date.now();
      else if (s === "live") state.streamDownSince = null;
      banner();
    },
  });
  // Without the stream (or the server), look every 15 s: a new size or a
  // server back up redraws the page.
  setInterval(() => {
    if (state.stream !== "live" || state.unreachableSince) refresh();
    banner();
  }, 15000);
  window.addEventListener("online", () => refresh());
}

function main() {
  setupToken();
  const main = document.getElementById("panels");
  for (const p of PANELS) main.append(panelShell(p));
  setupFilters();
  setupLive();
  refresh();
}

main();
