// A stand-in for `passage serve`, for the browser tests while the real
// server is not in this tree (tests/e2e/README.md). It keeps to the
// contract of docs/openapi.yaml as far as the pages use it, and answers
// from the real store through the real CLI: every analysis answer is
// `passage CMD --format json` for the same query, records are imported
// with `passage import`, so the figures the pages show are Passage's own.
// What it adds itself is what the CLI has no command for: the receipts'
// idempotency (by id and the record's bytes, in a file beside the store)
// and the event stream.
//
// usage: node standin.mjs --passage BIN --db STORE --web DIR --listen HOST:PORT
//                         [--token TOKEN]
// POST needs `Authorization: Bearer TOKEN` when --token is given.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, "")] = process.argv[i + 1];
const [host, port] = args.listen.split(":");
const webDir = path.resolve(args.web);
const sidecar = `${args.db}.standin.json`;

function run(cmdArgs, input) {
  return new Promise((resolve) => {
    const p = execFile(args.passage, ["--db", args.db, ...cmdArgs], { maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
    });
    if (input !== undefined) p.stdin.end(input);
  });
}

function send(res, status, body, type = "application/json", extra = {}) {
  res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", ...extra });
  res.end(body);
}

function error(res, status, code, message, field) {
  send(res, status, JSON.stringify({ error: { code, message, ...(field ? { field } : {}) } }));
}

// ------------------------------------------------------------ static files
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml", ".webmanifest": "application/manifest+json", ".json": "application/json" };

function serveStatic(req, res, pathname) {
  let rel = pathname === "/" ? "index.html" : pathname === "/entry" ? "entry.html" : pathname.slice(1);
  if (rel.includes("..") || rel.includes("\\") || rel.includes("\0") || /%2e|%2f|%5c/i.test(req.url)) return error(res, 400, "bad_path", "bad path");
  const file = path.join(webDir, rel);
  if (!file.startsWith(webDir + path.sep)) return error(res, 400, "bad_path", "bad path");
  fs.readFile(file, (err, data) => {
    if (err) return error(res, 404, "not_found", "no such file");
    const ext = path.extname(file);
    const cache = rel.startsWith("assets/") ? "public, max-age=31536000, immutable" : "no-cache";
    res.writeHead(200, { "Content-Type": TYPES[ext] || "application/octet-stream", "Cache-Control": cache });
    res.end(data);
  });
}

// ------------------------------------------------------------------- log
async function head() {
  const r = await run(["log", "checkpoint"]);
  if (r.code !== 0) return { tree_size: 0, root: null, note: null };
  const lines = r.stdout.split("\n");
  return { tree_size: Number(lines[1]), root: lines[2], note: r.stdout };
}

const streams = new Set();
async function announce() {
  const h = await head();
  const msg = `event: tree\ndata: ${JSON.stringify({ tree_size: h.tree_size, root: h.root })}\n\n`;
  for (const s of streams) s.write(msg);
}

// --------------------------------------------------------------- reads
const CLI = {
  flows: { cmd: ["flow"], params: ["from", "to", "by", "measure", "source", "outcome", "as_of"] },
  index: { cmd: ["index"], params: ["from", "to", "as_of"] },
  availability: { cmd: ["availability"], params: ["from", "to", "checkpoint", "as_of"] },
  compliance: { cmd: ["compliance"], params: ["from", "to", "as_of"] },
  supply: { cmd: ["supply"], params: ["date", "as_of"] },
  pipeline: { cmd: ["pipeline"], params: ["from", "to", "checkpoint", "measure", "as_of"] },
  "reports/sitrep": { cmd: ["report", "sitrep"], params: ["date", "period", "as_of"] },
};

// CSV with a hashtag row: the stand-in's HXL (the real server's tags are
// its own); enough for a download to be tested.
function hxl(csv) {
  const [header, ...rest] = csv.split("\n");
  const tags = header.split(",").map((h) => (h === "day" ? "#date" : h === "checkpoint" ? "#loc+name" : `#indicator+${h.replace(/[^a-z0-9]/gi, "_")}`));
  return [header, tags.join(","), ...rest].join("\n");
}

async function analysis(res, name, q) {
  const spec = CLI[name];
  const argv = [...spec.cmd];
  for (const p of spec.params) if (q.get(p)) argv.push(`--${p.replace("_", "-")}`, q.get(p));
  const fmt = q.get("format") || "json";
  argv.push("--format", fmt === "hxl" ? "csv" : "json");
  const r = await run(argv);
  if (r.code === 2 && /unknown command/.test(r.stderr)) return error(res, 404, "not_found", "no such route");
  if (r.code !== 0) return error(res, 400, "bad_request", r.stderr.trim().split("\n")[0]);
  if (fmt === "hxl") return send(res, 200, hxl(r.stdout), "text/csv; charset=utf-8");
  send(res, 200, r.stdout);
}

async function status(res) {
  const [cps, srcs, h, flows, sitrep] = await Promise.all([
    run(["export", "checkpoint", "--format", "jsonl"]),
    run(["export", "source", "--format", "jsonl"]),
    head(),
    run(["flow", "--by", "day", "--measure", "records", "--format", "json"]),
    run(["report", "sitrep", "--date", new Date().toISOString().slice(0, 10), "--format", "json"]),
  ]);
  const lines = (t) => t.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const rows = flows.code === 0 ? JSON.parse(flows.stdout).rows : [];
  let corridor = {};
  try {
    corridor = JSON.parse(sitrep.stdout);
  } catch {
    /* no sitrep */
  }
  send(
    res,
    200,
    JSON.stringify({
      corridor: { name: corridor.corridor ?? null, timezone: corridor.timezone ?? null, checkpoints: lines(cps.stdout).map((c) => ({ id: c.id, name: c.name, lat: c.lat ?? null, lon: c.lon ?? null, km: c.km ?? null, route: true })) },
      tree_size: h.tree_size,
      root: h.root,
      checkpoint: h.note,
      sources: lines(srcs.stdout).map((s) => ({ id: s.id, name: s.name, grade: s.grade ?? null, records: null })),
      span: rows.length ? { from: rows[0].day, to: rows[rows.length - 1].day } : { from: null, to: null },
    }),
  );
}

async function records(res, q) {
  const kind = q.get("kind") || "flow";
  if (q.get("format") === "hxl") {
    const r = await run(["export", kind, "--format", "hxl"]);
    return r.code === 0 ? send(res, 200, r.stdout, "text/csv; charset=utf-8") : error(res, 400, "bad_request", r.stderr.trim());
  }
  const r = await run(["export", kind, "--format", "jsonl"]);
  if (r.code !== 0) return error(res, 400, "bad_request", r.stderr.trim());
  const from = q.get("from");
  const to = q.get("to");
  const out = r.stdout
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((x) => {
      const t = String(x.at ?? x.start ?? "").slice(0, 10);
      return (!from || t >= from) && (!to || t <= to);
    });
  // JSON Lines, one record a line, as the real server gives them (its
  // pages' cursors in X-Next-Cursor; the stand-in gives one page).
  send(res, 200, out.map((x) => JSON.stringify(x)).join("\n") + (out.length ? "\n" : ""), "application/x-ndjson");
}

// --------------------------------------------------------------- writes
function loadSeen() {
  try {
    return JSON.parse(fs.readFileSync(sidecar, "utf8"));
  } catch {
    return {};
  }
}
const seen = loadSeen();
function saveSeen() {
  fs.writeFileSync(`${sidecar}.tmp`, JSON.stringify(seen));
  fs.renameSync(`${sidecar}.tmp`, sidecar);
}

function canon(v) {
  if (Array.isArray(v)) return `[${v.map(canon).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(",")}}`;
  return JSON.stringify(v);
}

let queue = Promise.resolve();
function serialized(f) {
  const p = queue.then(f, f);
  queue = p.catch(() => {});
  return p;
}

async function postRecords(req, res, body) {
  if (args.token && req.headers.authorization !== `Bearer ${args.token}`) return error(res, 401, "unauthorized", "a valid token is needed");
  if (!/^application\/json/.test(req.headers["content-type"] || "")) return error(res, 415, "unsupported_media_type", "expected application/json");
  let doc;
  try {
    doc = JSON.parse(body);
  } catch {
    return error(res, 400, "malformed_json", "the body is not JSON");
  }
  const recs = Array.isArray(doc.records) ? doc.records : null;
  if (!recs) return error(res, 422, "invalid", "expected {\"records\": [...]}", "records");
  await serialized(async () => {
    const conflicts = [];
    const fresh = [];
    recs.forEach((r, index) => {
      const c = canon(r);
      const s = seen[r.id];
      if (s && s.canon !== c) conflicts.push({ index, id: r.id, message: "this id is stored with other content", stored_leaf_hash: s.leaf_hash });
      else if (!s && !fresh.some((f) => f.r.id === r.id)) fresh.push({ r, c, index });
    });
    if (conflicts.length) return send(res, 409, JSON.stringify({ errors: conflicts }));
    if (fresh.length) {
      const tmp = path.join(os.tmpdir(), `standin-${process.pid}-${Date.now()}.jsonl`);
      fs.writeFileSync(tmp, fresh.map(({ r }) => JSON.stringify({ ...Object.fromEntries(Object.entries(r).filter(([k]) => k !== "kind")), record: r.kind })).join("\n") + "\n");
      const imp = await run(["import", "flow", tmp, "--format", "jsonl"]);
      fs.rmSync(tmp, { force: true });
      if (imp.code !== 0) {
        const lines = imp.stderr.trim().split("\n");
        const errors = lines.filter((l) => /line \d+/.test(l)).map((l) => {
          const m = /line (\d+)/.exec(l);
          const f = /field '?([a-z_]+)'?/.exec(l) || /: ([a-z_]+): /.exec(l);
          return { index: fresh[Number(m[1]) - 1]?.index ?? 0, field: f ? f[1] : null, expected: null, got: null, message: l };
        });
        return send(res, imp.code === 3 ? 422 : 500, JSON.stringify({ errors: errors.length ? errors : [{ index: 0, message: lines.join(" ") }] }));
      }
      for (const { r, c } of fresh) {
        const pr = await run(["proof", "inclusion", "--id", r.id, "--format", "json"]);
        const seq = JSON.parse(pr.stdout).leaf_index;
        const ent = await run(["log", "entries", "--start", String(seq), "--end", String(seq + 1)]);
        const leaf = createHash("sha256").update(Buffer.concat([Buffer.from([0]), Buffer.from(ent.stdout.replace(/\n$/, ""))])).digest("base64");
        seen[r.id] = { canon: c, seq, leaf_hash: leaf };
      }
      saveSeen();
    }
    const h = await head();
    const receipts = recs.map((r) => ({ id: r.id, seq: seen[r.id].seq, leaf_hash: seen[r.id].leaf_hash }));
    send(res, 200, JSON.stringify({ accepted: fresh.length, duplicates: recs.length - fresh.length, tree_size: h.tree_size, receipts }));
    if (fresh.length) announce();
  });
}

// --------------------------------------------------------------- routes
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://x");
  const p = url.pathname;
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    try {
      if (req.method === "POST" && p === "/api/v1/records") return await postRecords(req, res, Buffer.concat(chunks).toString("utf8"));
      if (req.method !== "GET") return error(res, 405, "method_not_allowed", "method not allowed");
      if (p === "/healthz") return send(res, 200, "ok\n", "text/plain");
      if (p === "/api/v1/status") return await status(res);
      if (p === "/api/v1/records") return await records(res, url.searchParams);
      if (p === "/api/v1/events/stream") {
        res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store" });
        const h = await head();
        res.write(`event: tree\ndata: ${JSON.stringify({ tree_size: h.tree_size, root: h.root })}\n\n`);
        streams.add(res);
        const keep = setInterval(() => res.write(": keepalive\n\n"), 15000);
        req.on("close", () => {
          clearInterval(keep);
          streams.delete(res);
        });
        return;
      }
      if (p.startsWith("/api/v1/")) {
        const name = p.slice("/api/v1/".length);
        if (CLI[name]) return await analysis(res, name, url.searchParams);
        return error(res, 404, "not_found", "no such route");
      }
      if (p === "/log/checkpoint") return send(res, 200, (await head()).note || "", "text/plain; charset=utf-8");
      if (p === "/log/entries") {
        const r = await run(["log", "entries", "--start", url.searchParams.get("start") || "0", "--end", url.searchParams.get("end") || "0"]);
        return r.code === 0 ? send(res, 200, r.stdout, "text/plain; charset=utf-8") : error(res, 400, "bad_request", r.stderr.trim());
      }
      return serveStatic(req, res, p);
    } catch (e) {
      error(res, 500, "internal", String(e && e.message));
    }
  });
});

server.listen(Number(port), host, () => console.error(`standin: listening on ${host}:${port}`));
process.on("SIGTERM", () => {
  for (const s of streams) s.end();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
