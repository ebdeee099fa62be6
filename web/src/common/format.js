// Showing the API's figures: the value as the API gave it, with thousands
// separated and at most the decimals it carries (the API already rounds to
// six places); unknown (null) is shown as unknown, never as zero.

export const UNKNOWN = "unknown";

export function num(v, { unknown = UNKNOWN, digits = 6 } = {}) {
  if (v === null || v === undefined) return unknown;
  if (typeof v !== "number") return String(v);
  return v.toLocaleString("en-GB", { maximumFractionDigits: digits });
}

// A share (0..1) as the API gave it, and the same as a percentage for the
// eye: 0.020401 is shown "0.020401 (2.04%)".
export function share(v) {
  if (v === null || v === undefined) return UNKNOWN;
  return `${num(v)} (${(v * 100).toLocaleString("en-GB", { maximumFractionDigits: 2 })}%)`;
}

export function range(lowHigh, fmt = num) {
  if (!lowHigh || typeof lowHigh !== "object") return fmt(lowHigh);
  if (lowHigh.low === lowHigh.high) return fmt(lowHigh.low);
  return `${fmt(lowHigh.low)} – ${fmt(lowHigh.high)}`;
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// A table from column specs [{label, get(row) -> text or Node, cls}].
export function table(columns, rows, { caption, rowClass } = {}) {
  const t = el("table");
  if (caption) t.append(el("caption", { text: caption }));
  t.append(el("thead", {}, el("tr", {}, columns.map((c) => el("th", { scope: "col", class: c.cls }, c.label)))));
  const body = el("tbody");
  for (const r of rows) {
    body.append(el("tr", { class: rowClass ? rowClass(r) : null }, columns.map((c) => el("td", { class: c.cls }, c.get(r)))));
  }
  t.append(body);
  return el("div", { class: "table-wrap" }, t);
}

export function time(d) {
  return d.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}
