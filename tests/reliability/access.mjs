// Usage: node access.mjs BASE TOKENS-DIR OPENAPI
//
// Issue 15, item 5: every route of docs/openapi.yaml x every principal:
// no token, a token of each role (public, party, monitor, analyst,
// admin), an
// expired and a revoked admin token, and a monitor token limited to
// checkpoint a writing for checkpoint b. The expected status of each cell
// follows from the rules (docs/operating.md, app_allow), worked out here
// by class of route, not read from the server:
//   open        /healthz, /metrics: no token is looked at: 200 for all;
//   log         status, the event stream, /log/checkpoint and proofs,
//               /checkpoint and hash tiles (/tile/0/...): 200 with no
//               token or a valid one, 401 for expired or revoked;
//   raw         the log's raw entries (/log/entries, entry bundles
//               /tile/entries/...: the records' bytes, person counts and
//               all): 200 for party, analyst and admin, 401 without a
//               token, 403 for public, monitor and limited, 401 expired
//               or revoked (the fixture's [publish] public does not list
//               log, which would open them to all);
//   published   an answer the fixture corridor publishes ([publish] public
//               = flows, events): as log;
//   reserved    every other answer, the records of a kind not published,
//               the sitrep: 200 for analyst and admin, 401 without a
//               token, 403 for public, monitor and limited, 401 expired
//               or revoked;
//   write       POST: 200 for monitor, admin and limited writing for a,
//               403 for limited writing for b, for public, party and
//               analyst, 401 without a token, expired or revoked.
// The party reads what the public reads, and the raw entries besides.
// A route the table does not know (added after it was written) is still
// sent by every principal: it must not answer 5xx, and no principal
// without a writing role may grow the log through it.
// After every request the log's size is read: it must grow only by the
// records of a write that was answered 200 (1 for a POST of one record;
// 2 for an import of one row: the row and the import's own entry). Then the public routes are
// read by every public principal in every format for person counts below
// the corridor's min_public_count (10): flows with persons 3 are stored.
// Exit 1 when any cell is wrong.
import fs from 'node:fs';

const [base, tokensDir, openapi] = process.argv.slice(2, 5);
const tok = (n) => fs.readFileSync(`${tokensDir}/token.${n}`, 'utf8').trim();
const principals = {
  none: null, public: tok('public'), party: tok('party'), monitor: tok('monitor'),
  analyst: tok('analyst'), admin: tok('admin'), expired: tok('expired'),
  revoked: tok('revoked'), limited: tok('limited'),
};
let failed = 0, cells = 0, unknown = 0;
let seq = 0;

async function request(method, path, token, body, type) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (type) headers['Content-Type'] = type;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), 10000);
  try {
    const res = await fetch(base + path, {method, headers, body, signal: ac.signal});
    // The event stream never ends: its status and first bytes are enough.
    let text = '';
    if ((res.headers.get('content-type') || '').startsWith('text/event-stream')) {
      const reader = res.body.getReader();
      const {value} = await reader.read();
      text = Buffer.from(value || []).toString();
      ac.abort();
    } else {
      text = await res.text();
    }
    return {status: res.status, text, type: res.headers.get('content-type') || ''};
  } catch (e) {
    return {status: 0, text: String(e)};
  } finally {
    clearTimeout(timer);
  }
}

async function size() {
  const a = await request('GET', '/healthz');
  return JSON.parse(a.text).tree_size;
}

// Known routes: the request to send and the class of the answer.
const flowBody = (id, cp) => JSON.stringify({records: [{kind: 'flow', id, checkpoint: cp,
  direction: 'in', start: '2023-01-04', vehicles: 1}]});
const known = {
  'GET /healthz': {cls: 'open'},
  'GET /metrics': {cls: 'open'},
  'GET /api/v1/status': {cls: 'log'},
  'GET /api/v1/events/stream': {cls: 'log'},
  'GET /log/checkpoint': {cls: 'log'},
  'GET /log/entries': {cls: 'raw', q: '?start=0&end=2'},
  'GET /log/proof/inclusion': {cls: 'log', q: '?index=0&size=2'},
  'GET /log/proof/consistency': {cls: 'log', q: '?old=1&new=2'},
  'GET /api/v1/flows': {cls: 'published', q: '?from=2023-01-01&to=2023-01-07'},
  'GET /api/v1/index': {cls: 'reserved', q: '?from=2023-01-01&to=2023-01-07'},
  'GET /api/v1/availability': {cls: 'reserved', q: '?from=2023-01-01&to=2023-01-07'},
  'GET /api/v1/compliance': {cls: 'reserved', q: '?from=2023-01-01&to=2023-01-07'},
  'GET /api/v1/supply': {cls: 'reserved', q: '?date=2023-01-03'},
  'GET /api/v1/pipeline': {cls: 'reserved', q: '?from=2023-01-01&to=2023-01-07'},
  'GET /api/v1/reports/sitrep': {cls: 'reserved', q: '?date=2023-01-02&format=json'},
  'GET /api/v1/records': {cls: 'reserved', q: '?kind=flow',
                          also: [['?kind=event', 'published'], ['', 'reserved']]},
  'POST /api/v1/records': {cls: 'write', records: true, grows: 1},
  'POST /api/v1/imports': {cls: 'write', csv: true, q: '?kind=flow', grows: 2},
  'GET /checkpoint': {cls: 'log'},
  // A tile's path is the route's: the first hash tile, as wide as the
  // tree (the tree is smaller than 256 here), and the first entry bundle.
  'GET /tile/{tile}': {cls: 'log', path: (n) => `/tile/0/000.p/${n}`,
                       also: [[(n) => `/tile/entries/000.p/${n}`, 'raw']]},
};

function expected(cls, who, ok = 200) {
  if (cls === 'open') return 200;
  if (who === 'expired' || who === 'revoked') return 401;
  if (cls === 'log' || cls === 'published') return ok;
  if (cls === 'raw') {
    if (who === 'party' || who === 'analyst' || who === 'admin') return ok;
    return who === 'none' ? 401 : 403;
  }
  if (cls === 'reserved') {
    if (who === 'analyst' || who === 'admin') return ok;
    return who === 'none' ? 401 : 403;
  }
  if (cls === 'write') {
    if (who === 'monitor' || who === 'admin' || who === 'limited') return ok;
    if (who === 'limited-b') return 403;
    return who === 'none' ? 401 : 403;
  }
  throw new Error(cls);
}

function routes() {
  const out = [];
  let path = null, inPaths = false;
  for (const line of fs.readFileSync(openapi, 'utf8').split('\n')) {
    if (/^paths:/.test(line)) { inPaths = true; continue; }
    if (inPaths && /^\S/.test(line)) inPaths = false;
    if (!inPaths) continue;
    let m;
    if ((m = /^  (\/\S*):$/.exec(line))) path = m[1];
    else if ((m = /^    (get|post|put|delete|patch):$/.exec(line)))
      out.push(`${m[1].toUpperCase()} ${path}`);
  }
  return out;
}

async function cell(route, who, token, q, cls, ok, write, grows = 0) {
  const [method, routePath] = route.split(' ');
  let body, type, cp = 'a';
  if (who === 'limited-b') cp = 'b';
  const id = `acc-${++seq}`;
  if (write === 'records') { body = flowBody(id, cp); type = 'application/json'; }
  if (write === 'csv') {
    body = `id,start,checkpoint,direction,vehicles\n${id},2023-01-04,${cp},in,1\n`;
    type = 'text/csv';
  }
  const before = await size();
  // q is a query, or makes the whole path from the log's size.
  const path = typeof q === 'function' ? q(before) : routePath + (q || '');
  const a = await request(method, path, token, body, type);
  const after = await size();
  cells++;
  const label = `${method} ${path} as ${who}`;
  const grew = after - before;
  if (cls === null) {
    unknown++;
    const writer = ['monitor', 'admin', 'limited'].includes(who);
    const good = a.status > 0 && a.status < 500 && (writer || grew === 0);
    if (!good) failed++;
    console.log(`${good ? 'ok' : 'FAIL'}: ${label}: ${a.status} (a route this table does not know; the log grew by ${grew})`);
    return;
  }
  const want = expected(cls, who, ok);
  const wantGrow = method === 'POST' && a.status === 200 ? grows : 0;
  const good = a.status === want && grew === wantGrow;
  if (!good) {
    failed++;
    console.log(`FAIL: ${label}: ${a.status}, want ${want}; the log grew by ${grew}, want ${wantGrow}: ${a.text.slice(0, 200)}`);
  }
}

const all = routes();
for (const route of all) {
  const k = known[route];
  for (const [who, token] of Object.entries(principals)) {
    if (!k) { await cell(route, who, token, '', null); continue; }
    const write = k.records ? 'records' : k.csv ? 'csv' : null;
    await cell(route, who, token, k.path || k.q, k.cls, k.ok, write, k.grows);
    for (const [q, cls] of k.also || [])
      await cell(route, who, token, q, cls, k.ok, write, k.grows);
    if (who === 'limited' && write)
      await cell(route, 'limited-b', token, k.q, k.cls, k.ok, write, k.grows);
  }
}
for (const r of Object.keys(known))
  if (!all.includes(r)) {
    failed++;
    console.log(`FAIL: ${r} is in this table but no longer in docs/openapi.yaml`);
  }
console.log(`${failed ? 'FAIL' : 'ok'}: ${cells} cells (${all.length} routes x ${Object.keys(principals).length} principals, and limited writing for b), ${unknown} of routes this table does not know, ${failed} wrong`);

// Person counts below min_public_count (10): no public principal reads
// one in any answer or format it may read. The store holds flows of
// persons 3 (a, 2023-01-02) and 40 (a, 2023-01-03).
const publicReads = [
  '/api/v1/flows?from=2023-01-01&to=2023-01-07',
  '/api/v1/flows?from=2023-01-01&to=2023-01-07&measure=persons',
  '/api/v1/flows?from=2023-01-01&to=2023-01-07&measure=persons&by=day,checkpoint,direction',
  '/api/v1/flows?from=2023-01-02&to=2023-01-02&measure=persons&by=checkpoint,source',
  '/api/v1/flows?from=2023-01-01&to=2023-01-07&measure=persons&by=week',
  '/api/v1/flows?from=2023-01-01&to=2023-01-07&measure=persons&format=csv',
  '/api/v1/flows?from=2023-01-01&to=2023-01-07&measure=persons&format=hxl',
  '/api/v1/flows?from=2023-01-01&to=2023-01-07&measure=persons&by=day&format=csv',
  '/api/v1/records?kind=event',
  '/api/v1/records?kind=event&format=csv',
  '/api/v1/status',
];
let leaks = 0;
for (const who of ['none', 'public', 'party', 'monitor', 'limited']) {
  for (const path of publicReads) {
    const a = await request('GET', path, principals[who]);
    if (a.status !== 200) {
      leaks++;
      console.log(`FAIL: ${path} as ${who}: ${a.status}`);
      continue;
    }
    // persons 3 as a JSON member or a CSV cell of the 2023-01-02 row.
    const leak = /"persons":\s*3\b/.test(a.text) ||
      a.text.split('\n').some((l) => /2023-01-02/.test(l) && /(^|,)3(,|$)/.test(l));
    if (leak) {
      leaks++;
      console.log(`FAIL: ${path} as ${who} shows persons 3: ${a.text.slice(0, 300)}`);
    }
  }
}
console.log(`${leaks ? 'FAIL' : 'ok'}: ${publicReads.length} public reads x 5 principals without the analyst role: no person count below 10`);
// The log's raw entries carry the records' bytes, person counts and all:
// main keeps them to party, analyst and admin unless [publish] public
// lists log (the fixture does not). So no principal without one of those
// roles reads them, by /log/entries or an entry bundle.
const n = await size();
const logReads = [`/log/entries?start=0&end=${n}`, `/tile/entries/000.p/${n}`];
let raw = 0;
for (const who of ['none', 'public', 'monitor', 'limited', 'expired', 'revoked']) {
  for (const path of logReads) {
    const a = await request('GET', path, principals[who]);
    if (a.status !== 401 && a.status !== 403) {
      raw++;
      console.log(`FAIL: ${path} as ${who}: ${a.status} (the raw entries, persons 3 among them)`);
    }
  }
}
for (const path of logReads) {
  const a = await request('GET', path, principals.party);
  if (a.status !== 200) {
    raw++;
    console.log(`FAIL: ${path} as party: ${a.status}, want 200`);
  }
}
console.log(`${raw ? 'FAIL' : 'ok'}: the raw entries (${logReads.length} routes) to none of 6 principals without party, analyst or admin, and to the party`);
leaks += raw;
process.exit(failed || leaks ? 1 : 0);
