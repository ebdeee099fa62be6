// Calls to the Passage API (docs/openapi.yaml). Every figure the pages show
// comes from these answers as they are: nothing here adds, averages or
// rounds a figure.

// A failed call: status 0 when the server could not be reached (or the
// request timed out), else the HTTP status with the error body's code and
// message when it has one ({"error": {"code", "message", "field"}}).
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.status = status;
    this.body = body ?? null;
  }
  get unreachable() {
    return this.status === 0;
  }
}

// Builds "/api/v1/flows?from=...&to=..." from a path and an object of
// parameters; null, undefined and "" are left out.
export function apiUrl(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === "") continue;
    q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export function authHeaders(token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// The error's text for a person: the body's message where the server gave
// one, else the status line.
async function errorFrom(res) {
  let body = null;
  let message = `${res.status} ${res.statusText || ""}`.trim();
  try {
    body = await res.json();
    if (body && body.error && body.error.message) {
      message = body.error.message;
      if (body.error.field) message += ` (${body.error.field})`;
    }
  } catch {
    /* not JSON: keep the status line */
  }
  return new ApiError(res.status, message, body);
}

// fetch with a deadline: a connection that hangs (a checkpoint's bad
// network) is given up after timeoutMs and reported as unreachable.
export async function fetchWithTimeout(url, init = {}, timeoutMs = 30000) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    return await fetch(url, { ...init, signal: ctl.signal, cache: "no-store" });
  } catch (e) {
    throw new ApiError(0, ctl.signal.aborted ? "the server did not answer in time" : "the server cannot be reached");
  } finally {
    clearTimeout(timer);
  }
}

// GET a JSON answer. Returns the parsed body; throws ApiError.
export async function getJson(path, params, token, timeoutMs) {
  const res = await fetchWithTimeout(apiUrl(path, params), { headers: { Accept: "application/json", ...authHeaders(token) } }, timeoutMs);
  if (!res.ok) throw await errorFrom(res);
  try {
    return await res.json();
  } catch {
    throw new ApiError(res.status, "the server's answer is not JSON");
  }
}

// GET a text answer (signed notes, log entries, CSV).
export async function getText(path, params, token, accept = "text/plain", timeoutMs) {
  const res = await fetchWithTimeout(apiUrl(path, params), { headers: { Accept: accept, ...authHeaders(token) } }, timeoutMs);
  if (!res.ok) throw await errorFrom(res);
  return await res.text();
}

// Reads the records answer whichever form the server gives it: a JSON
// object with a "records" array (and a cursor for the next page), a bare
// array, or JSON Lines.
export function parseRecords(text) {
  const t = text.trim();
  if (t === "") return { records: [], next: null };
  if (t[0] === "{" && !t.includes("\n{")) {
    const o = JSON.parse(t);
    if (Array.isArray(o.records)) return { records: o.records, next: o.next_cursor ?? o.cursor ?? o.next ?? null };
    return { records: [o], next: null };
  }
  if (t[0] === "[") return { records: JSON.parse(t), next: null };
  return { records: t.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l)), next: null };
}

// POST JSON; returns {status, body} for every answer the server gave (the
// caller decides what each status means) and throws ApiError(0) only when
// there was no answer.
export async function postJson(path, body, token, timeoutMs) {
  const res = await fetchWithTimeout(
    path,
    {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", ...authHeaders(token) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    },
    timeoutMs,
  );
  let parsed = null;
  const text = await res.text().catch(() => "");
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: res.status, body: parsed, text };
}
