import L from "leaflet";
import "leaflet/dist/leaflet.css";
import { el, num, range, share, table, UNKNOWN } from "../common/format.js";
import { lineChart } from "./chart.js";
import { checkRecords, verifyPanel } from "./verify-panel.js";

// The panels of the dashboard, each drawn from one or two API answers as
// they are (docs/dashboard.md names each panel's routes). A panel is
// {id, title, load(ctx) -> data, render(body, data, ctx), csv(ctx)}; csv
// names the API answer (format=hxl) that the panel's download saves.
// ctx.get(path, params) fetches as of the tree size the dashboard shows.

const COLORS = { in: "#1d6fa5", out: "#c2571a", baseline: "#666", index: "#111" };
const PART_COLORS = ["#1d6fa5", "#4f9fd1", "#9cc9e8", "#c2571a", "#e08a4f", "#f0bd92"];
const MEASURES = ["persons", "vehicles", "tonnes"];

// Days from D1 to D2 inclusive, as the API names them.
export function daysBetween(from, to) {
  const out = [];
  if (!from || !to) return out;
  let t = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`);
  while (t <= end && out.length < 3700) {
    out.push(new Date(t).toISOString().slice(0, 10));
    t += 86400000;
  }
  return out;
}

function checkpointName(ctx, id) {
  const c = ctx.checkpoints.find((x) => x.id === id);
  return c ? c.name || id : id;
}

function note(text) {
  return el("p", { class: "note" }, text);
}

// The period's figures, by day and the dimensions asked (flows with
// by=day,checkpoint,direction), shared by the flows and disputed panels.
function flowsQuery(ctx, withSource) {
  return ctx.get("/api/v1/flows", {
    from: ctx.filters.from,
    to: ctx.filters.to,
    by: "day,checkpoint,direction",
    measure: "persons,vehicles,tonnes",
    source: withSource ? ctx.filters.source : null,
  });
}

function sitrepQuery(ctx) {
  return ctx.get("/api/v1/reports/sitrep", { date: ctx.filters.to, period: "week", format: "json" });
}

// The checkpoints the index counts: the status says (null: every one),
// so a dashboard without an analyst's token names them too.
function countedCheckpoints(ctx, sitrep) {
  const fromStatus = ctx.status?.corridor?.index_checkpoints;
  if (Array.isArray(fromStatus)) return fromStatus;
  if (fromStatus === null && ctx.status?.corridor) return ctx.checkpoints.map((c) => c.id);
  return sitrep?.headline?.index_checkpoints || [];
}

// The baseline per day of a direction and measure: the status's (the
// index's own figure), else the sitrep's.
function baselinePerDay(ctx, sitrep, dir, m) {
  const b = ctx.status?.baseline?.per_day?.[dir]?.[m];
  if (b !== undefined) return b;
  return sitrep?.headline?.parts?.[dir]?.[m]?.baseline_per_day;
}

// A button that checks records in the browser (the verify panel).
function checkButton(records, label = "check") {
  return el("button", { type: "button", class: "small check", "data-check": records.map((r) => r.id).join(" "), onclick: () => checkRecords(records) }, label);
}

// ---------------------------------------------------------------- index
const indexPanel = {
  id: "index",
  title: "Functioning index",
  async load(ctx) {
    const [index, sitrep] = await Promise.all([
      ctx.get("/api/v1/index", { from: ctx.filters.from, to: ctx.filters.to }),
      sitrepQuery(ctx).catch(() => null),
    ]);
    return { index, sitrep };
  },
  render(body, { index, sitrep }, ctx) {
    const rows = index.days || [];
    const days = rows.map((r) => r.day);
    const last = [...rows].reverse().find((r) => r.index !== null && r.index !== undefined);
    const head = sitrep?.headline;
    body.append(
      el(
        "div",
        { class: "figures" },
        el("div", { class: "figure" }, el("span", { class: "label" }, last ? `index on ${last.day}` : "index"), el("strong", { "data-figure": "index-last" }, last ? share(last.index) : UNKNOWN)),
        head
          ? el(
              "div",
              { class: "figure" },
              el("span", { class: "label" }, `week to ${sitrep.date} (sitrep)`),
              el("strong", { "data-figure": "index-week" }, share(head.index)),
              el("span", { class: "label" }, `previous week ${share(head.index_previous)}`),
            )
          : null,
      ),
    );
    const series = [{ label: "index", values: rows.map((r) => r.index ?? null), color: COLORS.index, width: 3 }];
    let i = 0;
    for (const dir of ["in", "out"]) {
      for (const m of MEASURES) {
        series.push({ label: `${dir} ${m}`, values: rows.map((r) => r.parts?.[dir]?.[m] ?? null), color: PART_COLORS[i++], width: 1 });
      }
    }
    const box = el("div", { class: "chart", "data-chart": "index" });
    body.append(box);
    ctx.charts.push(lineChart(box, { days, series, yLabel: "share of baseline", yRange: [0, 1.05] }));
    const counted = countedCheckpoints(ctx, sitrep);
    body.append(
      note(
        `Each day: the mean of six parts, min(1, flow / baseline) for persons, vehicles and tonnes in each direction${
          counted?.length ? `, counted at ${counted.map((id) => checkpointName(ctx, id)).join(", ")}` : ""
        }. Gaps are unknown days (a counted checkpoint not observed), never zero.`,
      ),
    );
  },
  csv: (ctx) => ({ path: "/api/v1/index", params: { from: ctx.filters.from, to: ctx.filters.to } }),
};

// ---------------------------------------------------------------- flows
const flowsPanel = {
  id: "flows",
  title: "Daily flows against the baseline",
  async load(ctx) {
    const [flows, sitrep] = await Promise.all([flowsQuery(ctx, true), sitrepQuery(ctx).catch(() => null)]);
    return { flows, sitrep };
  },
  render(body, { flows, sitrep }, ctx) {
    const m = ctx.filters.measure || "vehicles";
    const counted = countedCheckpoints(ctx, sitrep);
    const plotted = ctx.filters.checkpoint ? [ctx.filters.checkpoint] : counted.length ? counted : ctx.checkpoints.map((c) => c.id);
    const days = daysBetween(ctx.filters.from, ctx.filters.to);
    const at = new Map(days.map((d, i) => [d, i]));
    const series = [];
    let colorIdx = 0;
    for (const cp of plotted) {
      for (const dir of ["in", "out"]) {
        const values = days.map(() => null);
        const notes = days.map(() => null);
        for (const r of flows.rows || []) {
          if (r.checkpoint !== cp || r.direction !== dir || !at.has(r.day)) continue;
          const i = at.get(r.day);
          values[i] = r[m] ?? null;
          const n = [];
          if (r.suppressed && r[m] == null) n.push("suppressed");
          if (r.approximate) n.push("approximate");
          if (r.disputed) n.push("disputed");
          notes[i] = n.length ? n.join(", ") : null;
        }
        const c = plotted.length === 1 ? COLORS[dir] : PART_COLORS[colorIdx++ % PART_COLORS.length];
        series.push({ label: `${plotted.length > 1 ? `${checkpointName(ctx, cp)} ` : ""}${dir}`, values, notes, color: c });
      }
    }
    // The baseline is the corridor's mean daily flow at the counted
    // checkpoints together; it is drawn only where the line beside it is
    // the same thing: one counted checkpoint, shown alone.
    const sameAsCounted = counted.length === 1 && plotted.length === 1 && plotted[0] === counted[0] && !ctx.filters.source;
    if (sameAsCounted) {
      for (const dir of ["in", "out"]) {
        const b = baselinePerDay(ctx, sitrep, dir, m);
        if (b !== null && b !== undefined) series.push({ label: `baseline ${dir}`, values: days.map(() => b), color: COLORS[dir], dash: [6, 4], width: 1 });
      }
    }
    const box = el("div", { class: "chart", "data-chart": "flows" });
    body.append(
      el("p", { class: "lead" }, `${m} a day at ${plotted.map((id) => checkpointName(ctx, id)).join(", ")}`, ctx.filters.source ? ` as ${ctx.filters.source} reports them (not reconciled)` : " (reconciled: the best-graded source's figure)"),
    );
    body.append(box);
    ctx.charts.push(lineChart(box, { days, series, yLabel: m }));
    // The last days' figures as the API gave them, to read out.
    const flowSeries = series.filter((s) => !s.label.startsWith("baseline"));
    const lastDays = days.slice(-7).reverse();
    body.append(
      table(
        [
          { label: "day", get: (d) => d },
          ...flowSeries.map((s) => ({
            label: s.label,
            cls: "n",
            get: (d) => {
              const i = days.indexOf(d);
              const v = s.values[i];
              const n = s.notes[i];
              return el("span", { "data-flow": `${s.label}|${d}` }, v === null && n ? n : num(v), v !== null && n ? el("small", {}, ` ${n}`) : "");
            },
          })),
        ],
        lastDays,
        { caption: "the last days" },
      ),
    );
    const notes = [];
    if (counted.length) notes.push(`The index counts ${counted.map((id) => checkpointName(ctx, id)).join(", ")}.`);
    const win = ctx.status?.baseline?.window;
    if (sameAsCounted) notes.push(`Dashed: the baseline per day${win ? `, the mean day of ${win.from} to ${win.to}` : ""}${ctx.status?.baseline?.suppressed && m === "persons" ? " (person figures under the public minimum are not shown)" : ""}.`);
    else if (counted.length > 1) notes.push("The baseline is for the counted checkpoints together, so it is not drawn against single checkpoints.");
    notes.push("Gaps are unknown days, never zero; a figure spread from a longer record is marked approximate.");
    body.append(note(notes.join(" ")));
  },
  csv: (ctx) => ({ path: "/api/v1/flows", params: { from: ctx.filters.from, to: ctx.filters.to, by: "day,checkpoint,direction", measure: "persons,vehicles,tonnes", source: ctx.filters.source } }),
};

// --------------------------------------------------------- availability
function availColor(v) {
  if (v === null || v === undefined) return null;
  // 0 red, 0.5 amber, 1 green.
  const hue = Math.round(120 * Math.max(0, Math.min(1, v)));
  return `hsl(${hue} 65% 42%)`;
}

const availabilityPanel = {
  id: "availability",
  title: "Availability along the route",
  async load(ctx) {
    return ctx.get("/api/v1/availability", { from: ctx.filters.from, to: ctx.filters.to, checkpoint: ctx.filters.checkpoint });
  },
  render(body, data, ctx) {
    const rows = data.days || data.rows || [];
    const days = daysBetween(ctx.filters.from, ctx.filters.to);
    const at = new Map(days.map((d, i) => [d, i]));
    // One strip per checkpoint (and per direction where the answer has
    // one), in the order of the route; the corridor's own row first.
    const key = (r) => `${r.checkpoint ?? "corridor"}|${r.direction ?? ""}`;
    const strips = new Map();
    for (const r of rows) {
      const k = key(r);
      if (!strips.has(k)) strips.set(k, { checkpoint: r.checkpoint ?? "corridor", direction: r.direction ?? null, values: days.map(() => undefined) });
      if (at.has(r.day)) strips.get(k).values[at.get(r.day)] = r.availability;
    }
    const km = (id) => ctx.checkpoints.find((c) => c.id === id)?.km ?? 1e9;
    const order = [...strips.values()].sort((a, b) => {
      if (a.checkpoint === "corridor" || b.checkpoint === "corridor") return a.checkpoint === "corridor" ? -1 : 1;
      return km(a.checkpoint) - km(b.checkpoint) || a.checkpoint.localeCompare(b.checkpoint) || String(a.direction).localeCompare(String(b.direction));
    });
    const grid = el("div", { class: "strips", "data-chart": "availability" });
    for (const s of order) {
      const name = s.checkpoint === "corridor" ? "the corridor" : checkpointName(ctx, s.checkpoint);
      const kmv = ctx.checkpoints.find((c) => c.id === s.checkpoint)?.km;
      const label = el("div", { class: "strip-label" }, name, s.direction ? ` ${s.direction}` : "", kmv !== undefined && kmv !== null ? el("small", {}, ` km ${num(kmv)}`) : "");
      const cells = el("div", { class: "strip" });
      s.values.forEach((v, i) => {
        const c = availColor(v);
        cells.append(el("span", { class: c ? "cell" : "cell unknown", style: c ? `background:${c}` : null, title: `${days[i]} ${name}${s.direction ? ` ${s.direction}` : ""}: ${v === undefined ? "no answer" : v === null ? UNKNOWN : num(v)}` }));
      });
      grid.append(el("div", { class: "strip-row" }, label, cells));
    }
    grid.append(el("div", { class: "strip-row axis" }, el("div", { class: "strip-label" }), el("div", { class: "strip-axis" }, el("span", {}, days[0] || ""), el("span", {}, days[days.length - 1] || ""))));
    body.append(grid);
    // The last day's figures, as the API gave them, for reading aloud.
    const lastDay = days[days.length - 1];
    const lastRows = rows.filter((r) => r.day === lastDay);
    if (lastRows.length) {
      body.append(
        table(
          [
            { label: "checkpoint", get: (r) => (r.checkpoint ? checkpointName(ctx, r.checkpoint) : "the corridor") + (r.direction ? ` ${r.direction}` : "") },
            { label: `availability on ${lastDay}`, get: (r) => num(r.availability), cls: "n" },
          ],
          lastRows,
        ),
      );
    }
    body.append(note("Each cell is a day: the share of it the checkpoint was open (green 1, amber 0.5, red 0); grey is unknown (no status recorded before the day). Hover or tap a cell for its figure."));
    ctx.shared.availability = rows;
  },
  csv: (ctx) => ({ path: "/api/v1/availability", params: { from: ctx.filters.from, to: ctx.filters.to, checkpoint: ctx.filters.checkpoint } }),
};

// ------------------------------------------------------------------ map
// A checkpoint's availability on day: the lower of its two directions (a
// road is as open as its most closed way), or null when either is unknown.
function lowestAvailability(ctx, id, day) {
  const rows = (ctx.shared.availability || []).filter((r) => r.day === day && r.checkpoint === id);
  if (!rows.length) return undefined;
  if (rows.some((r) => r.availability === null || r.availability === undefined)) return { availability: null };
  return { availability: Math.min(...rows.map((r) => r.availability)) };
}

const mapPanel = {
  id: "map",
  title: "Checkpoints",
  async load(ctx) {
    return { checkpoints: ctx.checkpoints };
  },
  render(body, { checkpoints }, ctx) {
    const placed = checkpoints.filter((c) => typeof c.lat === "number" && typeof c.lon === "number");
    const unplaced = checkpoints.filter((c) => !placed.includes(c));
    const box = el("div", { class: "map", "data-chart": "map" });
    body.append(box);
    if (placed.length) {
      // No tile server: the route and the checkpoints over a plain
      // background, from the checkpoints' own coordinates.
      const map = L.map(box, { attributionControl: false, zoomSnap: 0.25, scrollWheelZoom: false, zoomAnimation: false, fadeAnimation: false, markerZoomAnimation: false });
      const onRoute = placed.filter((c) => c.route !== false && c.route !== 0).sort((a, b) => (a.km ?? 0) - (b.km ?? 0));
      if (onRoute.length > 1) L.polyline(onRoute.map((c) => [c.lat, c.lon]), { color: "#1d3557", weight: 4, opacity: 0.7 }).addTo(map);
      const lastDay = ctx.filters.to;
      const avail = (id) => lowestAvailability(ctx, id, lastDay);
      for (const c of placed) {
        const a = avail(c.id);
        const color = a ? availColor(a.availability) || "#999" : "#999";
        const selected = ctx.filters.checkpoint === c.id;
        L.circleMarker([c.lat, c.lon], { radius: selected ? 11 : 8, color: "#222", weight: selected ? 3 : 1, fillColor: color, fillOpacity: 0.9 })
          .bindTooltip(`${c.name || c.id}${c.km !== undefined && c.km !== null ? `, km ${num(c.km)}` : ""}${a ? `: availability on ${lastDay} ${num(a.availability)}` : ""}`, { direction: "right" })
          .addTo(map);
      }
      const b = L.latLngBounds(placed.map((c) => [c.lat, c.lon]));
      map.fitBounds(b.pad(0.3), { maxZoom: 11, animate: false });
      const ro = new ResizeObserver(() => map.invalidateSize({ animate: false }));
      ro.observe(box);
      ctx.maps.push({
        remove() {
          ro.disconnect();
          map.remove();
        },
      });
    } else {
      box.append(note("No checkpoint has coordinates."));
    }
    // The checkpoints in route order, with the last day's availability
    // (the colour of each dot), since dots a few km apart overlap.
    const lastDay = ctx.filters.to;
    const byKm = placed.slice().sort((a, b) => (a.km ?? 1e9) - (b.km ?? 1e9));
    body.append(
      el(
        "ol",
        { class: "route-list" },
        byKm.map((c) => {
          const a = lowestAvailability(ctx, c.id, lastDay);
          return el("li", {}, el("span", { class: "dot", style: `background:${a ? availColor(a.availability) || "#999" : "#999"}` }), `${c.km !== undefined && c.km !== null ? `km ${num(c.km)} ` : ""}${c.name || c.id}`, a ? el("small", {}, ` availability on ${lastDay}: ${num(a.availability)}`) : "");
        }),
      ),
    );
    if (unplaced.length) body.append(note(`Without coordinates: ${unplaced.map((c) => c.name || c.id).join(", ")}.`));
  },
  csv: () => ({ path: "/api/v1/records", params: { kind: "checkpoint" } }),
};

// --------------------------------------------------------------- supply
const supplyPanel = {
  id: "supply",
  title: "Supply outlook",
  async load(ctx) {
    return ctx.get("/api/v1/supply", { date: ctx.filters.to });
  },
  render(body, data) {
    const cats = data.categories || [];
    if (!cats.length) {
      body.append(note("No category has a need recorded."));
      return;
    }
    body.append(el("p", { class: "lead" }, `At the start of ${data.date}`));
    body.append(
      table(
        [
          { label: "category", get: (c) => c.category },
          { label: "alert", get: (c) => el("span", { class: `alert alert-${c.alert}` }, c.alert ?? UNKNOWN) },
          { label: "stock", get: (c) => `${range(c.stock)} ${c.unit ?? ""}`, cls: "n" },
          { label: "need a day", get: (c) => num(c.need_per_day), cls: "n" },
          { label: "days of cover", get: (c) => range(c.days_of_cover), cls: "n" },
          { label: "stock-out, no inflow", get: (c) => range(c.stockout?.no_inflow, (d) => d ?? "none") },
          { label: "stock-out, recent inflow", get: (c) => range(c.stockout?.recent_inflow, (d) => d ?? "none") },
          { label: "stock-out, baseline inflow", get: (c) => range(c.stockout?.baseline_inflow, (d) => d ?? "none") },
          { label: "inflow a day (7 days)", get: (c) => num(c.inflow_7d_mean), cls: "n" },
        ],
        cats,
        { rowClass: (c) => `alert-row-${c.alert}` },
      ),
    );
    body.append(note("Stock and cover are ranges (low – high) where the stock records disagree; a stock-out of 'none' means stock does not fall under that scenario."));
  },
  csv: (ctx) => ({ path: "/api/v1/supply", params: { date: ctx.filters.to } }),
};

// ------------------------------------------------------------- pipeline
const pipelinePanel = {
  id: "pipeline",
  title: "Backlog (pipeline)",
  async load(ctx) {
    return ctx.get("/api/v1/pipeline", { from: ctx.filters.from, to: ctx.filters.to, checkpoint: ctx.filters.checkpoint, measure: ctx.filters.measure === "tonnes" ? "tonnes" : ctx.filters.measure });
  },
  render(body, data, ctx) {
    const rows = data.rows || [];
    const order = data.stages?.order || [];
    if (!rows.length) {
      body.append(note("Nothing recorded at any stage in this period."));
      return;
    }
    const days = daysBetween(ctx.filters.from, ctx.filters.to);
    const at = new Map(days.map((d, i) => [d, i]));
    const groups = new Map();
    for (const r of rows) {
      const k = `${r.checkpoint}|${r.direction}`;
      if (!groups.has(k)) groups.set(k, { label: `${checkpointName(ctx, r.checkpoint)} ${r.direction}`, values: days.map(() => null) });
      if (at.has(r.day)) groups.get(k).values[at.get(r.day)] = r.backlog ?? null;
    }
    const series = [...groups.values()].map((g, i) => ({ ...g, color: PART_COLORS[i % PART_COLORS.length] }));
    body.append(el("p", { class: "lead" }, `${data.measure ?? ""} waiting between ${order[0] ?? "the first stage"} and ${data.stages?.counting ?? "the counting stage"}`));
    const box = el("div", { class: "chart", "data-chart": "pipeline" });
    body.append(box);
    ctx.charts.push(lineChart(box, { days, series, yLabel: "backlog", height: 200 }));
    const latest = rows.slice(-10).reverse();
    body.append(
      table(
        [
          { label: "day", get: (r) => r.day },
          { label: "checkpoint", get: (r) => `${checkpointName(ctx, r.checkpoint)} ${r.direction}` },
          ...order.map((s) => ({ label: s, get: (r) => num(r.stages?.[s]), cls: "n" })),
          { label: "backlog", get: (r) => num(r.backlog), cls: "n" },
        ],
        latest,
        { caption: "the latest days" },
      ),
    );
  },
  csv: (ctx) => ({ path: "/api/v1/pipeline", params: { from: ctx.filters.from, to: ctx.filters.to, checkpoint: ctx.filters.checkpoint } }),
};

// ---------------------------------------------------------------- events
async function allRecords(ctx, kind, max = 1000) {
  const out = [];
  let cursor = null;
  for (let page = 0; page < 10 && out.length < max; page++) {
    const { records, next } = await ctx.records({ kind, from: ctx.filters.from, to: ctx.filters.to, limit: 200, cursor });
    out.push(...records);
    if (!next) break;
    cursor = next;
  }
  return out;
}

const eventsPanel = {
  id: "events",
  title: "Latest events",
  async load(ctx) {
    const [events, status] = await Promise.all([allRecords(ctx, "event"), allRecords(ctx, "status").catch(() => [])]);
    return { events, status };
  },
  render(body, { events, status }, ctx) {
    const items = [
      ...events.map((r) => ({ at: r.at, what: r.summary, kind: r.kind, where: r.place, source: r.source, grade: r.grade, id: r.id })),
      ...status.map((r) => ({ at: r.at, what: `${checkpointName(ctx, r.checkpoint)}: ${r.state}${r.cause ? ` (${r.cause})` : ""}${r.direction ? `, ${r.direction}` : ""}`, kind: "status", where: null, source: r.source, grade: r.grade, id: r.id })),
    ]
      .filter((x) => !ctx.filters.source || x.source === ctx.filters.source)
      .sort((a, b) => String(b.at).localeCompare(String(a.at)));
    if (!items.length) {
      body.append(note("No event or status change in this period."));
      return;
    }
    const list = el("ol", { class: "events" });
    for (const x of items.slice(0, 15)) {
      list.append(
        el(
          "li",
          { "data-id": x.id },
          el("time", {}, x.at),
          el("span", { class: `tag tag-${x.kind}` }, x.kind),
          el("span", { class: "what" }, x.what),
          el("small", {}, [x.where, x.source && `${x.source}${x.grade ? ` ${x.grade}` : ""}`].filter(Boolean).join(" · ")),
          x.id ? checkButton([{ id: x.id, kind: x.kind === "status" ? "status" : "event" }]) : "",
        ),
      );
    }
    body.append(list);
    if (items.length > 15) body.append(note(`${items.length - 15} earlier in this period (in the CSV).`));
  },
  csv: (ctx) => ({ path: "/api/v1/records", params: { kind: "event", from: ctx.filters.from, to: ctx.filters.to } }),
};

// ----------------------------------------------------------- compliance
const compliancePanel = {
  id: "compliance",
  title: "Compliance per obligation",
  async load(ctx) {
    return ctx.get("/api/v1/compliance", { from: ctx.filters.from, to: ctx.filters.to });
  },
  render(body, data) {
    const obs = data.obligations || [];
    if (!obs.length) {
      body.append(note("The corridor file names no obligation."));
      return;
    }
    body.append(
      table(
        [
          { label: "obligation", get: (o) => el("span", { title: o.text || "" }, el("strong", {}, o.id), o.text ? el("small", { class: "block" }, o.text) : "") },
          { label: "in force", get: (o) => (o.in_force === undefined ? "" : typeof o.in_force === "object" && o.in_force ? `${o.in_force.from ?? ""}..${o.in_force.until ?? ""}` : String(o.in_force)) },
          { label: "days met", get: (o) => num(o.days_met), cls: "n" },
          { label: "days breached", get: (o) => num(o.days_breached), cls: "n" },
          { label: "days unknown", get: (o) => num(o.days_unknown), cls: "n" },
          { label: "longest breach", get: (o) => num(o.longest_breach), cls: "n" },
          { label: "current run", get: (o) => num(o.current_run), cls: "n" },
        ],
        obs,
        { rowClass: (o) => (o.current_run > 0 ? "breached" : "") },
      ),
    );
    body.append(note("A run is a stretch of consecutive breached days; the current run is the one that ends on the last day shown."));
  },
  csv: (ctx) => ({ path: "/api/v1/compliance", params: { from: ctx.filters.from, to: ctx.filters.to } }),
};

// ------------------------------------------------------------- disputed
const disputedPanel = {
  id: "disputed",
  title: "Disputed figures",
  async load(ctx) {
    return flowsQuery(ctx, false);
  },
  render(body, flows, ctx) {
    const rows = (flows.rows || []).filter((r) => r.disputed && (!ctx.filters.checkpoint || r.checkpoint === ctx.filters.checkpoint));
    if (!rows.length) {
      body.append(note("No figure in this period is disputed between sources."));
      return;
    }
    // One line per disputed figure: the day, where, the measure, the figure
    // shown (the best-graded source's) and every source's own figure.
    const lines = [];
    for (const r of rows) {
      const measures = [...new Set((r.sources || []).map((s) => s.measure))].sort();
      for (const m of measures) lines.push({ r, m, sources: r.sources.filter((s) => s.measure === m) });
    }
    const latest = lines.slice(-12).reverse();
    body.append(el("p", { class: "lead" }, `${rows.length} checkpoint-days with a disputed figure in this period; the latest:`));
    body.append(
      table(
        [
          { label: "day", get: (x) => x.r.day },
          { label: "where", get: (x) => `${checkpointName(ctx, x.r.checkpoint)} ${x.r.direction}` },
          { label: "measure", get: (x) => x.m },
          { label: "shown", get: (x) => num(x.r[x.m]), cls: "n" },
          {
            label: "each source's figure",
            get: (x) =>
              el(
                "span",
                { class: "sources" },
                x.sources.map((s) => el("span", { class: s.value === x.r[x.m] ? "src chosen" : "src" }, `${s.source} ${s.grade}: ${num(s.value)}`)),
              ),
          },
          {
            label: "records",
            get: (x) =>
              el(
                "button",
                {
                  type: "button",
                  class: "small check",
                  "data-check-figure": `${x.r.day}|${x.r.checkpoint}|${x.r.direction}`,
                  onclick: async () => {
                    try {
                      const { records } = await ctx.records({ kind: "flow", from: x.r.day, to: x.r.day, limit: 1000 });
                      const behind = records.filter((r) => r.checkpoint === x.r.checkpoint && r.direction === x.r.direction);
                      await checkRecords(behind.map((r) => ({ id: r.id, kind: "flow" })));
                    } catch (e) {
                      alert(`The records behind this figure cannot be read: ${e.message}`);
                    }
                  },
                },
                "check",
              ),
          },
        ],
        latest,
      ),
    );
    body.append(note("Sources are never added together: the figure shown is the best-graded source's (in bold); every other source's figure for the same day, checkpoint and direction is listed. All of them are in the CSV."));
  },
  csv: (ctx) => ({ path: "/api/v1/flows", params: { from: ctx.filters.from, to: ctx.filters.to, by: "day,checkpoint,direction,source", measure: "persons,vehicles,tonnes" } }),
};

// ------------------------------------------------------------------ log
const logPanel = {
  id: "log",
  title: "The log these figures come from",
  async load(ctx) {
    const n = ctx.asOf;
    const start = Math.max(0, n - 10);
    // The raw entries carry every count as recorded: a party's, analyst's
    // or admin's token reads them, or anyone where the corridor publishes
    // its log.
    const readable = Boolean(ctx.token) || (ctx.status?.corridor?.publish || []).includes("log");
    const entries = !readable ? { error: { message: "they are for the parties (a party, analyst or admin token), since they carry every count as recorded; the checkpoint and the hash tiles are public" } } : n > 0 ? await ctx.text("/log/entries", { start, end: n }).catch((e) => ({ error: e })) : "";
    return { n, start, entries };
  },
  render(body, { n, start, entries }, ctx) {
    const st = ctx.status;
    body.append(
      el(
        "dl",
        { class: "tree" },
        el("dt", {}, "tree size"),
        el("dd", { "data-figure": "tree-size" }, String(n)),
        el("dt", {}, "root hash"),
        el("dd", { class: "mono" }, st.root ?? UNKNOWN),
      ),
    );
    if (st.checkpoint) body.append(el("details", {}, el("summary", {}, "signed checkpoint"), el("pre", { class: "mono" }, st.checkpoint)));
    else body.append(note("No signed checkpoint yet (the log has no signing key)."));
    if (entries && entries.error) {
      body.append(note(`The latest entries: ${entries.error.message}.`));
    } else if (typeof entries === "string" && entries.trim()) {
      const lines = entries.split("\n").filter((l) => l.trim() !== "");
      const recs = lines.map((l, i) => {
        try {
          return { seq: start + i, r: JSON.parse(l) };
        } catch {
          return { seq: start + i, r: {} };
        }
      });
      body.append(
        table(
          [
            { label: "seq", get: (x) => String(x.seq), cls: "n" },
            { label: "kind", get: (x) => x.r.record ?? x.r.kind ?? "" },
            { label: "id", get: (x) => el("span", { class: "mono", "data-entry-id": x.r.id ?? "" }, x.r.id ?? "") },
            { label: "when", get: (x) => x.r.start ?? x.r.at ?? "" },
            { label: "", get: (x) => (x.r.id ? checkButton([{ id: x.r.id, kind: x.r.record }]) : "") },
          ],
          recs.reverse(),
          { caption: "the latest entries" },
        ),
      );
    }
    body.append(note(`Every figure on this page was asked as of tree size ${n}: 'passage flow ... --as-of ${n}' gives the same.`));
  },
  csv: null,
};

export const PANELS = [indexPanel, flowsPanel, availabilityPanel, mapPanel, supplyPanel, pipelinePanel, eventsPanel, compliancePanel, disputedPanel, logPanel, verifyPanel];
