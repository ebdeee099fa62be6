// Usage: node soak.mjs BASE TOKENS-DIR SERVER-PID SECONDS [WRITES/S] [READS/S] [FLOWS/S]
//
// Issue 15, item 7: a soak at a fixed rate on loopback. For SECONDS,
// WRITES/S batches of 10 flows (fresh ids) are posted, READS/S reads sent
// (in turn: status as a public dashboard reads it, records of a kind page
// by page, the checkpoint, an inclusion proof, the entries of the last
// 10) and FLOWS/S analysis answers (1): a flow answer of one day by
// checkpoint and direction, and the status as an analyst reads it, with
// the index's baseline per day, on a
// schedule fixed in advance (an open loop: a slow answer does not slow
// the sending). The server's resident memory (VmRSS of SERVER-PID) is
// sampled every second, and with it what /metrics says its caches hold
// (passage_store_engine_bytes: SQLite's page caches, within their caps;
// passage_writer_day_cache_bytes: the writer's days, within its budget)
// and how many days the writer's cache dropped. Prints one JSON line:
// requests, errors, the latency percentiles (ms) of writes, reads and flow
// answers, RSS (MiB) at the first sample, the largest of the first and of
// the last quarter, and the largest of all; the same of RSS less the
// caches ("other": what no cap bounds, where a leak would show); the
// caches at the end, the days dropped, the five largest RSS samples (with
// the second, the caches and the requests in flight then), and the records
// acknowledged. Exit 1 on any error (a status other than 200, a lost
// connection, more than 500 requests in flight).
import fs from 'node:fs';
import http from 'node:http';

const [base, tokensDir, pid, secs, wps = '20', rps = '50', fps = '1'] = process.argv.slice(2);
const seconds = Number(secs), writeRate = Number(wps), readRate = Number(rps);
const flowsRate = Number(fps);
const tok = (n) => fs.readFileSync(`${tokensDir}/token.${n}`, 'utf8').trim();
const monitor = tok('monitor'), analyst = tok('analyst'), pub = tok('public');
const agent = new http.Agent({keepAlive: true, maxSockets: 64});
const lat = {write: [], read: [], flows: []};
let errors = 0, inflight = 0, maxInflight = 0, sent = 0, acked = 0, size = 2;
const firstErrors = [];

function rss() {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

// A kept-alive connection the server closes as idle (its 30 s timeout)
// just as a request is written on it fails with ECONNRESET ("socket hang
// up"): a race of keep-alive itself, which browsers and Node's own
// documentation answer by sending the request again on a new connection,
// once. Counted in the report (resent); any other failure is an error.
let resent = 0;
function send(kind, method, path, token, body, again, since) {
  const t0 = since || process.hrtime.bigint();
  if (!again) {
    inflight++;
    sent++;
  }
  maxInflight = Math.max(maxInflight, inflight);
  const done = (status, text) => {
    inflight--;
    lat[kind].push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (status !== 200) {
      errors++;
      if (firstErrors.length < 5) firstErrors.push(`${method} ${path}: ${status} ${text.slice(0, 120)}`);
    } else if (kind === 'write') {
      const a = JSON.parse(text);
      acked += a.accepted + a.duplicates;
      size = Math.max(size, a.tree_size);
    }
  };
  const req = http.request(base + path, {
    method, agent, headers: Object.assign(
      {Authorization: `Bearer ${token}`},
      body ? {'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body)} : {}),
  }, (res) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (d) => { text += d; });
    res.on('end', () => done(res.statusCode, text));
    res.on('error', (e) => done(0, String(e)));
  });
  req.on('error', (e) => {
    if (!again && req.reusedSocket && e.code === 'ECONNRESET') {
      resent++;
      send(kind, method, path, token, body, true, t0);
      return;
    }
    done(0, String(e));
  });
  req.end(body);
}

let batch = 0, read = 0;
// SOAK_PREFIX: the records' ids ("soak-" by default), for a run against a
// store that holds an earlier run's.
const idPrefix = process.env.SOAK_PREFIX || 'soak-';
function write() {
  const n = ++batch, records = [];
  for (let i = 0; i < 10; i++)
    records.push({kind: 'flow', id: `${idPrefix}${n}-${i}`, checkpoint: i % 2 ? 'a' : 'b',
                  direction: i % 3 ? 'in' : 'out',
                  start: `2023-01-0${1 + (n % 7)}`, vehicles: 1 + (n % 5), persons: i});
  send('write', 'POST', '/api/v1/records', monitor, JSON.stringify({records}));
}
// The cheap reads in turn; the analysis answers on a schedule of their
// own, FLOWS/s. The status is a cheap read as the public dashboard reads
// it (no baseline: the public may not read the index); as an analyst
// reads it, it carries the index's baseline, which reads every flow of the
// corridor's baseline window (the fixture's 2023-01-01..07 holds every
// flow posted here), so it is an analysis answer, asked as often as the
// flow answer. Sent 10 times a second as the analyst (as here before the
// baseline was added to it), it made the server fall behind in 40 s.
function readOne() {
  const r = read++ % 5;
  const paths = [
    '/api/v1/status',
    `/api/v1/records?kind=flow&limit=100&cursor=${(read * 37) % Math.max(1, size - 100)}`,
    '/log/checkpoint',
    `/log/proof/inclusion?index=${(read * 7919) % (size - 1)}&size=${size - 1}`,
    `/log/entries?start=${Math.max(0, size - 11)}&end=${size - 1}`,
  ];
  send('read', 'GET', paths[r], r === 0 ? pub : analyst);
}
let flows = 0;
function flowsOne() {
  const day = 1 + (flows++ % 7);
  send('flows', 'GET', `/api/v1/flows?from=2023-01-0${day}&to=2023-01-0${day}&by=checkpoint,direction`, analyst);
  send('flows', 'GET', '/api/v1/status', analyst);
}

// The log's size before the first request (a store may hold records).
size = await new Promise((resolve) => {
  http.get(base + '/healthz', (res) => {
    let t = '';
    res.on('data', (d) => { t += d; });
    res.on('end', () => resolve(JSON.parse(t).tree_size));
  });
});
const start = size;
const samples = [];
const t0 = Date.now();
let w = 0, rd = 0, fl = 0, overload = false;
// The caches as /metrics last said (MiB), read once a second beside RSS.
const caches = {engine: 0, days: 0, dropped: 0};
const metric = (text, name) => {
  const m = new RegExp(`^${name} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
};
function readCaches() {
  http.get(base + '/metrics', {agent}, (res) => {
    let t = '';
    res.on('data', (d) => { t += d; });
    res.on('end', () => {
      caches.engine = metric(t, 'passage_store_engine_bytes') / 1048576;
      caches.days = metric(t, 'passage_writer_day_cache_bytes') / 1048576;
      caches.dropped = metric(t, 'passage_writer_day_cache_dropped_total');
    });
  }).on('error', () => {});
}
function sample() {
  const r = rss();
  samples.push(r === null ? null : {t: Math.round((Date.now() - t0) / 1000), rss: r,
    engine: caches.engine, days: caches.days, dropped: caches.dropped, inflight});
  readCaches();
}
sample();
const sampler = setInterval(sample, 1000);
await new Promise((resolve) => {
  const tick = setInterval(() => {
    const t = (Date.now() - t0) / 1000;
    if (t >= seconds) { clearInterval(tick); resolve(); return; }
    while (w < t * writeRate) { write(); w++; }
    while (rd < t * readRate) { readOne(); rd++; }
    while (fl < t * flowsRate) { flowsOne(); fl++; }
    if (inflight > 500) overload = true;
  }, 5);
});
while (inflight > 0) await new Promise((r) => setTimeout(r, 20));
clearInterval(sampler);
await new Promise((r) => setTimeout(r, 300)); // the last /metrics
sample();

const pct = (a, p) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? Number(s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))].toFixed(2)) : null;
};
const q = Math.max(1, Math.floor(samples.length / 4));
const ok = samples.filter((x) => x !== null);
const max = (a, f) => Math.max(...a.filter((x) => x !== null).map(f));
const rssOf = (s) => s.rss, otherOf = (s) => s.rss - s.engine - s.days;
const mib = (x) => Number(x.toFixed(1));
const last = ok[ok.length - 1];
const out = {
  seconds, sent, resent, errors: errors + (overload ? 1 : 0), acked, start_size: start, max_in_flight: maxInflight,
  write_ms: {p50: pct(lat.write, 50), p95: pct(lat.write, 95), p99: pct(lat.write, 99), max: pct(lat.write, 100)},
  read_ms: {p50: pct(lat.read, 50), p95: pct(lat.read, 95), p99: pct(lat.read, 99), max: pct(lat.read, 100)},
  flows_ms: {p50: pct(lat.flows, 50), p95: pct(lat.flows, 95), p99: pct(lat.flows, 99), max: pct(lat.flows, 100)},
  rss_mib: {first: ok[0].rss, first_quarter_max: max(samples.slice(0, q), rssOf),
            last_quarter_max: max(samples.slice(-q), rssOf), max: max(ok, rssOf), samples: samples.length},
  other_mib: {first: mib(otherOf(ok[0])), first_quarter_max: mib(max(samples.slice(0, q), otherOf)),
              last_quarter_max: mib(max(samples.slice(-q), otherOf)), max: mib(max(ok, otherOf))},
  caches_mib: {engine: mib(last.engine), days: mib(last.days), days_dropped: last.dropped},
  largest: [...ok].sort((a, b) => b.rss - a.rss).slice(0, 5).map((s) =>
    ({t: s.t, rss: mib(s.rss), engine: mib(s.engine), days: mib(s.days), dropped: s.dropped, inflight: s.inflight})),
};
for (const e of firstErrors) console.error(e);
console.log(JSON.stringify(out));
process.exit(out.errors ? 1 : 0);
