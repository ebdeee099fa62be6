// Usage: node poster.mjs BASE-FILE TOKEN-FILE ACKED-FILE [CLIENTS] [BATCH] [PREFIX]
//
// Concurrent devices posting batches to POST /api/v1/records of a server
// that is killed and restarted under them (crash-serve.sh). Each of CLIENTS
// clients posts batches of BATCH flows with ids p<client>-<batch>-<i> (PREFIX
// in place of p when given: two posters beside each other), one
// after another, and appends every id of a batch to ACKED-FILE when, and
// only when, the server answered it 200: those records were acknowledged
// and must survive any crash. A batch whose answer was lost (connection
// refused or reset, 503 while the server starts) is sent again with the
// same bytes until it is answered, as a device's outbox would; a batch
// whose first try was stored must then come back as duplicates. The server's
// address is read from BASE-FILE before each try, since a restarted server
// may listen elsewhere.
//
// SIGTERM: no new batch starts; those under way are finished (answered),
// then a summary line of JSON goes to stdout and the exit status is 0, or
// 1 when any answer was other than 200, 503 or a lost connection.
import fs from 'node:fs';
import http from 'node:http';

const [baseFile, tokenFile, ackedFile] = process.argv.slice(2, 5);
const clients = Number(process.argv[5] || 4);
const batchSize = Number(process.argv[6] || 20);
const prefix = process.argv[7] || 'p';
const token = fs.readFileSync(tokenFile, 'utf8').trim();
let stopping = false;
const stats = {batches: 0, acked: 0, retries: 0, duplicates: 0, lost: 0,
               unavailable: 0, errors: 0};

process.on('SIGTERM', () => { stopping = true; });

function body(c, n) {
  const records = [];
  for (let i = 0; i < batchSize; i++)
    records.push({kind: 'flow', id: `${prefix}${c}-${n}-${i}`,
                  checkpoint: i % 2 ? 'b' : 'a', direction: 'in',
                  start: '2023-01-02', vehicles: i + 1});
  return JSON.stringify({records});
}

function post(data) {
  const base = fs.readFileSync(baseFile, 'utf8').trim();
  if (!/^http:/.test(base))
    return Promise.resolve({status: 0}); /* being written: try again */
  return new Promise((resolve) => {
    const req = http.request(`${base}/api/v1/records`, {
      method: 'POST', agent: false, timeout: 20000,
      headers: {'Content-Type': 'application/json',
                'Authorization': `Bearer ${token}`,
                'Content-Length': Buffer.byteLength(data)},
    }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({status: res.statusCode, text}));
      res.on('error', () => resolve({status: 0}));
    });
    req.on('error', () => resolve({status: 0}));
    req.on('timeout', () => req.destroy());
    req.end(data);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function client(c) {
  for (let n = 1; !stopping; n++) {
    const data = body(c, n);
    stats.batches++;
    for (let attempt = 0;; attempt++) {
      if (attempt > 0)
        stats.retries++;
      const a = await post(data);
      if (a.status === 200) {
        const answer = JSON.parse(a.text);
        if (answer.accepted + answer.duplicates !== batchSize) {
          console.error(`client ${c} batch ${n}: ${a.text}`);
          stats.errors++;
        }
        stats.duplicates += answer.duplicates;
        const ids = [];
        for (let i = 0; i < batchSize; i++)
          ids.push(`${prefix}${c}-${n}-${i}\n`);
        fs.appendFileSync(ackedFile, ids.join(''));
        stats.acked += batchSize;
        break;
      }
      if (a.status === 0) {
        stats.lost++;
      } else if (a.status === 503) {
        stats.unavailable++;
      } else {
        console.error(`client ${c} batch ${n}: ${a.status} ${a.text}`);
        stats.errors++;
        break;
      }
      await sleep(50);
    }
  }
}

await Promise.all(Array.from({length: clients}, (_, c) => client(c + 1)));
console.log(JSON.stringify(stats));
process.exit(stats.errors ? 1 : 0);
