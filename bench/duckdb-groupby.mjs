// Usage: node bench/duckdb-groupby.mjs FLOWS.csv [RUNS] [RECONCILED.csv]
//
// The baseline of bench/analysis: loads the flow CSV of bench/analysis into
// an in-memory DuckDB table (timed on its own), then times, best of RUNS
// (default 5) after one warm-up run, the equivalents of
//   passage flow --by day,category --measure records,vehicles,persons,tonnes
// with DuckDB's default threads (one per core) and again with one thread:
//   plain:      a GROUP BY day, category summing every source (not what
//               passage computes: it never adds two sources together);
//   reconciled: what passage computes (docs/analysis.md, "Sources are
//               reconciled in time"), for this file, whose records are all
//               instants (a start, no end): at each moment, checkpoint,
//               direction and class (records, persons and vehicles as a
//               whole, tonnes by category: docs/analysis.md, "Classes")
//               the claim of the best-graded source among those that gave
//               the measure there (ties: the source's id; every record is
//               as short as an instant), summed by day and category;
//   disputes:   reconciled, plus passage's disputed flag (another source's
//               claim at a moment differs by more than 10% from the
//               winner's, on a cell of the row).
// Prints one line: load_s plain reconciled disputes plain1 reconciled1
// disputes1 threads version (times in ms). With RECONCILED.csv, writes the
// reconciled result there for bench/analysis to compare with passage's.
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, runsArg, reconciledOut] = process.argv.slice(2);
if (!csv) {
  console.error('usage: node duckdb-groupby.mjs FLOWS.csv [RUNS] [OUT.csv]');
  process.exit(2);
}
const runs = Number(runsArg || 5);
const tolerance = 0.10; // the corridor's dispute_tolerance (the default)

const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();

const columns = {
  start: 'TIMESTAMP', checkpoint: 'VARCHAR', direction: 'VARCHAR',
  vehicle: 'VARCHAR', vehicles: 'INTEGER', persons: 'INTEGER',
  category: 'VARCHAR', quantity: 'DOUBLE', operator: 'VARCHAR',
  purpose: 'VARCHAR', outcome: 'VARCHAR', source: 'VARCHAR', grade: 'VARCHAR',
};
const colSql = Object.entries(columns).map(([k, v]) => `'${k}': '${v}'`).join(', ');
let t = performance.now();
// The day is computed at load, as passage computes it at import (UTC here:
// the corridor's time zone).
await con.run(`CREATE TABLE flows AS
  SELECT CAST(start AS DATE) AS day, *
  FROM read_csv('${csv.replaceAll("'", "''")}', header = true,
                columns = {${colSql}})`);
const loadSeconds = (performance.now() - t) / 1000;

const plain = `
SELECT day, category, count(*) AS records, sum(vehicles) AS vehicles,
       sum(persons) AS persons, sum(quantity) AS tonnes
FROM flows WHERE outcome = 'passed'
GROUP BY day, category ORDER BY day, category`;

// Per moment, checkpoint, direction, vehicle type, category and source:
// the sums, and how many rows gave each measure (missing is not zero).
const fine = `
f AS (
  SELECT day, start AS moment, checkpoint AS cp, direction AS dir,
         coalesce(vehicle, '') AS veh, coalesce(category, '') AS cat, source,
         min(coalesce(grade, 'Z9')) AS g, count(*) AS n,
         sum(vehicles) AS v, count(vehicles) AS vn,
         sum(persons) AS p, count(persons) AS pn,
         sum(quantity) AS t, count(quantity) AS tn
  FROM flows WHERE outcome = 'passed'
  GROUP BY ALL)`;

// The pieces of one measure's streams: a moment at a checkpoint in a
// direction, of a class.
const pieceKeys = (cls) => ['day', 'moment', 'cp', 'dir', ...cls].join(', ');
// Each source's claim on a piece of one measure, ranked best first; a
// claim's grade is the worst of its records'.
function claims(name, cls, measure, present) {
  const keys = pieceKeys(cls);
  return `
${name}_c AS (
  SELECT ${keys}, source, max(g) AS g, sum(${measure}) AS val
  FROM f GROUP BY ALL ${present ? `HAVING sum(${present}) > 0` : ''}),
${name}_r AS (
  SELECT *, row_number() OVER w AS rk, first_value(val) OVER w AS best
  FROM ${name}_c
  WINDOW w AS (PARTITION BY ${keys} ORDER BY g, source))`;
}
const measures = [
  ['r', [], 'n', null],
  ['p', [], 'p', 'pn'],
  ['v', [], 'v', 'vn'],
  ['t', ['cat'], 't', 'tn'],
];
function winners(withDisputes) {
  return measures.map(([name, cls, measure, present]) => {
    const keys = pieceKeys(cls);
    const disputed = withDisputes && name !== 'r'
      ? `, bool_or(abs(val - best) > ${tolerance} * abs(best) + 1e-9) AS d_${name}`
      : '';
    return `${claims(name, cls, measure, present)},
${name}_w AS (
  SELECT ${keys}, any_value(source) FILTER (WHERE rk = 1) AS w_${name}${disputed}
  FROM ${name}_r GROUP BY ALL)`;
  }).join(',');
}
function reconciled(withDisputes) {
  const joins = measures.map(([name, cls]) =>
    `LEFT JOIN ${name}_w USING (${pieceKeys(cls)})`)
    .join('\n  ');
  const disputed = withDisputes
    ? `, bool_or(coalesce(d_p, false) OR coalesce(d_v, false)
             OR coalesce(d_t, false)) AS disputed`
    : '';
  return `
WITH ${fine},${winners(withDisputes)}
SELECT day, cat AS category,
       coalesce(sum(n) FILTER (WHERE source = w_r), 0) AS records,
       coalesce(sum(v) FILTER (WHERE source = w_v), 0) AS vehicles,
       coalesce(sum(p) FILTER (WHERE source = w_p), 0) AS persons,
       coalesce(sum(t) FILTER (WHERE source = w_t), 0) AS tonnes${disputed}
FROM f
  ${joins}
GROUP BY day, cat ORDER BY day, cat`;
}

async function best(sql) {
  await con.runAndReadAll(sql); // warm
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = await con.runAndReadAll(sql);
    r.getRows();
    min = Math.min(min, performance.now() - t0);
  }
  return min.toFixed(3);
}

const threads = (await con.runAndReadAll(
  "SELECT current_setting('threads')")).getRows()[0][0];
const version = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];
const queries = [plain, reconciled(false), reconciled(true)];
const times = [];
for (const q of queries) times.push(await best(q));
await con.run('SET threads = 1');
for (const q of queries) times.push(await best(q));

if (reconciledOut) {
  const r = await con.runAndReadAll(reconciled(false));
  const lines = ['day,category,records,vehicles,persons,tonnes'];
  for (const row of r.getRowsJS()) {
    const [day, cat, ...m] = row;
    const d = day instanceof Date ? day.toISOString().slice(0, 10) : String(day);
    lines.push([d, cat, ...m.map((x) => Number(x))].join(','));
  }
  writeFileSync(reconciledOut, lines.join('\n') + '\n');
}

console.log([loadSeconds.toFixed(3), ...times, threads, version].join(' '));
con.closeSync();
instance.closeSync();
