// Usage: node hostile.mjs BASE TOKENS-DIR OPENAPI [SQL-PER-PARAM]
//
// Issue 15, item 4: a table of hostile requests sent as raw bytes to a
// passage serve started by hostile.sh (--timeout 2, the 8 MiB body cap, a
// web folder of one index.html), each with the status it must get, and
// none may change what is stored: the log's size and root (GET
// /api/v1/status as the admin) are the same after the table as before,
// and the server still answers /healthz. Then the SQL table: every query
// parameter of every GET route that docs/openapi.yaml names (read from it,
// so routes added later are tried too) carries SQL metacharacters; each
// answer must be a 2xx or 4xx (never 5xx, never a dropped connection).
// Prints one line a case; exit 1 when any case failed.
import fs from 'node:fs';
import net from 'node:net';

const [base, tokens, openapi] = process.argv.slice(2, 5);
const url = new URL(base);
const token = (role) => fs.readFileSync(`${tokens}/token.${role}`, 'utf8').trim();
const monitor = token('monitor');
const admin = token('admin');
const party = token('party');
let failed = 0, sent = 0;

// Sends the parts (strings or Buffers) with pause ms between them, reads
// until the server closes or waitMs pass: {status, text, closed, ms}.
function raw(parts, {pause = 0, waitMs = 8000} = {}) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(Number(url.port), url.hostname);
    const chunks = [];
    let done = false;
    const finish = (closed) => {
      if (done) return;
      done = true;
      s.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({status: m ? Number(m[1]) : 0, text, closed, ms: Date.now() - t0});
    };
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => finish(true));
    s.on('close', () => finish(true));
    s.on('error', () => finish(true));
    setTimeout(() => finish(false), waitMs);
    s.on('connect', async () => {
      for (const p of parts) {
        if (done) return;
        s.write(p);
        if (pause) await new Promise((r) => setTimeout(r, pause));
      }
    });
  });
}

const crlf = (lines, body = '') => lines.join('\r\n') + '\r\n\r\n' + body;
const get = (path, headers = []) =>
  crlf([`GET ${path} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close', ...headers]);
// A body given as a Buffer is sent byte for byte (a string would be sent
// as UTF-8, which would make invalid bytes valid).
const post = (path, body, type = 'application/json', auth = monitor) => {
  const head = crlf([`POST ${path} HTTP/1.1`, `Host: ${url.host}`, 'Connection: close',
                     `Authorization: Bearer ${auth}`, `Content-Type: ${type}`,
                     `Content-Length: ${Buffer.byteLength(body)}`]);
  return Buffer.concat([Buffer.from(head), Buffer.isBuffer(body) ? body : Buffer.from(body)]);
};
const bytes = (...parts) => Buffer.concat(parts.map((p) => typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)));
const flow = (extra) => JSON.stringify({records: [Object.assign(
  {kind: 'flow', id: 'hostile-1', checkpoint: 'a', direction: 'in',
   start: '2023-01-02'}, extra)]});

async function state() {
  const a = await raw([get('/api/v1/status', [`Authorization: Bearer ${admin}`])]);
  const body = a.text.slice(a.text.indexOf('\r\n\r\n') + 4);
  try {
    const j = JSON.parse(body);
    return `${j.tree_size} ${j.root}`;
  } catch {
    return `unreadable: ${a.status}`;
  }
}

function report(name, ok, got) {
  sent++;
  if (!ok) failed++;
  console.log(`${ok ? 'ok' : 'FAIL'}: ${name}${ok ? '' : `: got ${got}`}`);
}

// [name, parts, expected status (0: the server closes without an
// answer), options]
const deep = (n) => '['.repeat(n) + ']'.repeat(n);
const cases = [
  ['a header of 40 KiB', [get('/healthz', ['X-Junk: ' + 'a'.repeat(40960)])], 431],
  ['200 headers of 200 bytes', [get('/healthz', Array.from({length: 200}, (_, i) => `X-H${i}: ${'b'.repeat(200)}`))], 431],
  ['a path of 40 KiB', [get('/' + 'p'.repeat(40960))], 414],
  ['a query of 40 KiB', [get('/api/v1/flows?by=' + 'day,'.repeat(10240))], 414],
  ['a body declared 9 MiB (cap 8 MiB)', [crlf(['POST /api/v1/records HTTP/1.1', `Host: ${url.host}`, 'Connection: close', `Authorization: Bearer ${monitor}`, 'Content-Type: application/json', `Content-Length: ${9 << 20}`])], 413],
  ['a chunked body past the cap', [crlf(['POST /api/v1/records HTTP/1.1', `Host: ${url.host}`, 'Connection: close', `Authorization: Bearer ${monitor}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked']), ...Array.from({length: 9}, () => `100000\r\n${'x'.repeat(1 << 20)}\r\n`), '0\r\n\r\n'], 413],
  ['a Content-Length that is not a number', [crlf(['POST /api/v1/records HTTP/1.1', `Host: ${url.host}`, 'Connection: close', `Authorization: Bearer ${monitor}`, 'Content-Type: application/json', 'Content-Length: 12abc'], '{}')], 400],
  ['a Content-Length of 2^64', [crlf(['POST /api/v1/records HTTP/1.1', `Host: ${url.host}`, 'Connection: close', `Authorization: Bearer ${monitor}`, 'Content-Type: application/json', 'Content-Length: 18446744073709551616'], '{}')], 413],
  ['a slow client: headers a byte at a time, then silence (timeout 2 s)', [...'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '], 0, {pause: 20, maxMs: 6000}],
  ['a slow body: 10 bytes of 1,000, then silence', [crlf(['POST /api/v1/records HTTP/1.1', `Host: ${url.host}`, `Authorization: Bearer ${monitor}`, 'Content-Type: application/json', 'Content-Length: 1000'], '{"records"')], 0, {maxMs: 6000}],
  ['not HTTP at all', ['\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 garbage\r\n\r\n'], 400],
  ['a method no route has', [crlf(['BREW /api/v1/records HTTP/1.1', `Host: ${url.host}`, 'Connection: close'])], 405],
  // libmicrohttpd takes these (it is strict only with
  // MHD_OPTION_STRICT_FOR_CLIENT): harmless here, one site and no routing
  // by Host; a NUL ends a header's value, so a token cannot be lengthened.
  ['HTTP/1.1 without Host', [crlf(['GET /healthz HTTP/1.1', 'Connection: close'])], 200],
  ['a NUL in a header', [get('/healthz', ['X-Nul: a\0b'])], 200],
  ['invalid UTF-8 in a record id', [post('/api/v1/records', bytes('{"records": [{"kind": "flow", "id": "bad-', [0xff, 0xfe], '", "checkpoint": "a", "direction": "in", "start": "2023-01-02"}]}'))], 400],
  ['invalid UTF-8 in a note', [post('/api/v1/records', bytes('{"records": [{"kind": "flow", "id": "bad-2", "checkpoint": "a", "direction": "in", "start": "2023-01-02", "note": "', [0xc3, 0x28, 0xed, 0xa0, 0x80], '"}]}'))], 400],
  ['a lone surrogate escaped in a note', [post('/api/v1/records', '{"records": [{"kind": "flow", "id": "bad-3", "checkpoint": "a", "direction": "in", "start": "2023-01-02", "note": "\\ud800"}]}')], 400],
  ['an escaped NUL in a note', [post('/api/v1/records', '{"records": [{"kind": "flow", "id": "bad-4", "checkpoint": "a", "direction": "in", "start": "2023-01-02", "note": "a\\u0000b"}]}')], 400],
  ['invalid UTF-8 in a CSV upload', [post('/api/v1/imports?kind=flow', bytes('id,start,checkpoint,direction,note\nbad-5,2023-01-02,a,in,', [0xff, 0xfe, 0xfd], '\n'), 'text/csv')], 422],
  ['invalid UTF-8 in a query value', [get('/api/v1/flows?by=%ff%fe')], 400],
  ['invalid UTF-8 in a path', [get('/api/v1/%ff%fe')], 404],
  // Decoded once, these name files that do not exist (the bytes c0 ae are
  // no dot; %252e is the three characters %2e): 404, and nothing read.
  ['an overlong UTF-8 dot (%c0%ae%c0%ae/)', [get('/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd')], 404],
  ['a double-encoded traversal', [get('/%252e%252e/%252e%252e/etc/passwd')], 404],
  ['a traversal after a real folder', [get('/assets/../../../../etc/passwd')], 400],
  ['a traversal with a mixed-case encoding', [get('/%2E%2e/%2e%2E/etc/passwd')], 400],
  ['an absolute path in the request line', [get('//etc/passwd')], 400],
  // /log is no folder of files: no route, 404.
  ['a traversal into /log', [get('/log/../../etc/passwd')], 404],
  ['a number past 2^64 in as_of', [get('/api/v1/flows?as_of=99999999999999999999999')], 400],
  ['a negative as_of', [get('/api/v1/flows?as_of=-1')], 400],
  // The raw entries need party, analyst or admin (main: [publish] public
  // does not list log here), so these ask as the party: without a token
  // they would be 401 before the numbers are read, testing nothing.
  ['entries up to 2^64', [get('/log/entries?start=0&end=18446744073709551616', [`Authorization: Bearer ${party}`])], 400],
  ['entries from 2^63', [get('/log/entries?start=9223372036854775808&end=9223372036854775809', [`Authorization: Bearer ${party}`])], 400],
  ['entries up to 2^64 without a token', [get('/log/entries?start=0&end=18446744073709551616')], 401],
  ['an inclusion proof at index 2^64-1', [get('/log/proof/inclusion?index=18446744073709551615&size=2')], 400],
  ['a limit of 1e400', [get('/api/v1/records?kind=event&limit=1e400')], 400],
  ['vehicles 1e400 in a record', [post('/api/v1/records', flow({vehicles: 1}).replace('"vehicles":1', '"vehicles":1e400'))], 400],
  // jansson refuses an integer past 2^63 as it reads the body.
  ['persons 10^30 in a record', [post('/api/v1/records', flow({}).replace('"start"', '"persons":1000000000000000000000000000000,"start"'))], 400],
  ['persons 2^53 + 1 in a record', [post('/api/v1/records', flow({}).replace('"start"', '"persons":9007199254740993,"start"'))], 422],
  ['a date of year 99999', [post('/api/v1/records', flow({start: '99999-01-01'}))], 422],
  ['JSON nested 100,000 deep', [post('/api/v1/records', deep(100000))], 400],
  ['JSON nested 3,000 deep inside a record', [post('/api/v1/records', `{"records": [{"kind": "flow", "id": "deep", "note": ${deep(3000)}}]}`)], 400],
  // Main refuses a body nested past 32 levels as it reads it (400, the
  // body), where 2,000 levels inside a record used to reach intake and be
  // refused as a note that is no string (422): no record nests past a
  // few levels, and a cap keeps a parser's stack bounded. So 2,000 is 400
  // now, and the cap's edge is tried instead: the body's object, its
  // records array and the record's object are 3 levels, so a note of 29
  // brackets reaches 32 (read, then 422: the note is no string) and one
  // of 30 reaches 33 (400).
  ['JSON nested 2,000 deep inside a record', [post('/api/v1/records', `{"records": [{"kind": "flow", "id": "deep", "checkpoint": "a", "direction": "in", "start": "2023-01-02", "note": ${deep(2000)}}]}`)], 400],
  ['JSON nested 32 levels (the cap) inside a record', [post('/api/v1/records', `{"records": [{"kind": "flow", "id": "deep", "checkpoint": "a", "direction": "in", "start": "2023-01-02", "note": ${deep(29)}}]}`)], 422],
  ['JSON nested 33 levels (past the cap) inside a record', [post('/api/v1/records', `{"records": [{"kind": "flow", "id": "deep", "checkpoint": "a", "direction": "in", "start": "2023-01-02", "note": ${deep(30)}}]}`)], 400],
  ['10,001 records in a batch (max 10,000)', [post('/api/v1/records', JSON.stringify({records: Array.from({length: 10001}, (_, i) => ({kind: 'flow', id: `many-${i}`, checkpoint: 'a', direction: 'in', start: '2023-01-02'}))}))], 413],
  ['SQL in a record id', [post('/api/v1/records', flow({id: "x'); DROP TABLE entry; --", checkpoint: 'zz'}))], 422],
  ['SQL in an import name and kind', [post("/api/v1/imports?kind=flow';DROP%20TABLE%20entry;--&name=%27%3B--", 'id\nx\n', 'text/csv')], 400],
];

const before = await state();
for (const [name, parts, want, opt = {}] of cases) {
  const a = await raw(parts, {pause: opt.pause || 0, waitMs: (opt.maxMs || 8000) + 1000});
  let ok = a.status === want;
  if (want === 0)
    ok = a.closed && a.status === 0 ? a.ms <= opt.maxMs : a.status === 408;
  if (/passwd/.test(name) && /root:/.test(a.text))
    ok = false;
  report(`${name}: ${want === 0 ? 'closed (or 408) within ' + opt.maxMs + ' ms' : want}`, ok,
         `${a.status}${a.closed ? ' closed' : ''} after ${a.ms} ms ${a.text.split('\r\n\r\n')[1]?.slice(0, 160) ?? ''}`);
}

// Held connections do not starve others: 50 slow clients, then /healthz.
const slow = Array.from({length: 50}, () => raw(['GET /healthz HTTP/1.1\r\nHost: x\r\n'], {waitMs: 5000}));
await new Promise((r) => setTimeout(r, 200));
const h = await raw([get('/healthz')], {waitMs: 3000});
report('/healthz answers while 50 slow clients hold connections: 200', h.status === 200, h.status);
await Promise.all(slow);

// Every query parameter of every GET route, with SQL in it.
const sql = ["' OR '1'='1", "1; DROP TABLE entry; --", "a\" UNION SELECT * FROM token --",
             "%' AND 1=0 --", "0) OR (1=1"];
const routes = [];
let path = null, method = null, inPaths = false;
for (const line of fs.readFileSync(openapi, 'utf8').split('\n')) {
  if (/^paths:/.test(line)) { inPaths = true; continue; }
  if (inPaths && /^\S/.test(line)) inPaths = false;
  if (!inPaths) continue;
  let m;
  if ((m = /^  (\/\S*):$/.exec(line))) { path = m[1]; continue; }
  if ((m = /^    (get|post|put|delete|patch):$/.exec(line))) {
    method = m[1];
    routes.push({path, method, params: []});
    continue;
  }
  const r = routes[routes.length - 1];
  if (!r || r.path !== path) continue;
  if ((m = /\$ref: '#\/components\/parameters\/(\w+)'/.exec(line))) r.params.push(m[1]);
  else if ((m = /\{name: (\w+), in: query/.exec(line))) r.params.push(m[1]);
}
let sqlCases = 0, sqlBad = 0;
for (const r of routes.filter((x) => x.method === 'get' && x.path !== '/api/v1/events/stream')) {
  for (const p of r.params) {
    for (const v of sql) {
      const a = await raw([get(`${r.path}?${p}=${encodeURIComponent(v)}`, [`Authorization: Bearer ${admin}`])]);
      sqlCases++;
      if (!(a.status >= 200 && a.status < 500)) {
        sqlBad++;
        console.log(`FAIL: GET ${r.path}?${p}=${v}: ${a.status} ${a.text.split('\r\n\r\n')[1]?.slice(0, 160)}`);
      }
    }
  }
}
report(`SQL in every query parameter of ${routes.filter((x) => x.method === 'get').length - 1} GET routes (${sqlCases} requests): 2xx or 4xx`, sqlBad === 0, `${sqlBad} bad`);
sent += sqlCases - 1;

const after = await state();
report(`nothing stored changed: the log is ${before} before and after`, before === after, after);
const alive = await raw([get('/healthz')]);
report('the server still answers /healthz: 200', alive.status === 200, alive.status);
console.log(`${sent} hostile requests, ${failed} failed`);
process.exit(failed ? 1 : 0);
