// An independent verifier, written from RFC 9162 section 2.1, C2SP
// signed-note and tlog-checkpoint, and RFC 8032, sharing no code with
// Passage. Usage:
//   node verifier.mjs VKEY CHECKPOINT ENTRIES [PROOF ...]
// VKEY: "<name>+<hex key hash>+<base64(0x01 || key)>"; CHECKPOINT: a signed
// note; ENTRIES: every entry, one canonical JSON text per line, as
// `passage log entries` prints them; each PROOF a JSON inclusion proof
// (with "entry": line number in ENTRIES) or consistency proof (with
// "old_root": base64). Prints what it checked; exits 1 on any failure.
//   node verifier.mjs --tiles VKEY DIR [WITNESS_VKEY ...]
// reads a log published as C2SP tlog-tiles in DIR (as `passage log tiles`
// writes it): the checkpoint, signed by VKEY and cosigned by each
// WITNESS_VKEY (C2SP tlog-cosignature, type 0x04), every entry bundle
// (big-endian uint16 lengths), every hash tile of every level, rebuilt
// from the entries, and the root.
import { createHash, createPublicKey, verify } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

const sha256 = (...parts) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};
const leafHash = (bytes) => sha256(Buffer.from([0]), bytes);
const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);

function fail(msg) {
  console.log(`FAIL: ${msg}`);
  process.exit(1);
}

// RFC 9162 2.1.1: MTH over leaves[lo, hi).
function mth(leaves, lo, hi) {
  const n = hi - lo;
  if (n === 0) return sha256(Buffer.alloc(0));
  if (n === 1) return leaves[lo];
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nodeHash(mth(leaves, lo, lo + k), mth(leaves, lo + k, hi));
}

// RFC 9162 2.1.3.2: verifying an inclusion proof.
function verifyInclusion(index, size, leaf, proof, root) {
  if (index >= size) return false;
  let fn = index, sn = size - 1, r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        do { fn >>= 1; sn >>= 1; } while (fn % 2 === 0 && fn !== 0);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 && r.equals(root);
}

// RFC 9162 2.1.4.2: verifying a consistency proof.
function verifyConsistency(first, second, firstRoot, secondRoot, proof) {
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0 || first > second || proof.length === 0) return false;
  let path = proof.slice();
  if ((first & (first - 1)) === 0) path = [firstRoot, ...path];
  let fn = first - 1, sn = second - 1;
  while (fn % 2 === 1) { fn >>= 1; sn >>= 1; }
  let fr = path[0], sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        do { fn >>= 1; sn >>= 1; } while (fn % 2 === 0 && fn !== 0);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1; sn >>= 1;
  }
  return sn === 0 && fr.equals(firstRoot) && sr.equals(secondRoot);
}

// C2SP signed-note: the verifier key and the note's signature lines.
function parseVkey(text) {
  // The name has no "+", the hash is hex; the base64 key may hold "+".
  const [name, hash, ...rest] = text.trim().split("+");
  const key = rest.join("+");
  const raw = Buffer.from(key, "base64");
  if (raw.length !== 33 || raw[0] !== 1) fail("verifier key: not Ed25519");
  const id = sha256(Buffer.from(name), Buffer.from([0x0a]), raw).subarray(0, 4);
  if (id.toString("hex") !== hash.toLowerCase()) fail("verifier key: bad key hash");
  // RFC 8410 SubjectPublicKeyInfo for an Ed25519 key.
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw.subarray(1)]);
  return { name, id, key: createPublicKey({ key: spki, format: "der", type: "spki" }) };
}

function verifyNote(note, vk) {
  const split = note.lastIndexOf("\n\n");
  if (split < 0) fail("note: no blank line");
  const text = note.slice(0, split + 1);
  let ok = false;
  for (const line of note.slice(split + 2).split("\n")) {
    if (line === "") continue;
    const m = line.match(/^\u2014 (\S+) (\S+)$/);
    if (!m) fail(`note: bad signature line ${JSON.stringify(line)}`);
    const sig = Buffer.from(m[2], "base64");
    if (m[1] !== vk.name || !sig.subarray(0, 4).equals(vk.id)) continue;
    if (!verify(null, Buffer.from(text), vk.key, sig.subarray(4))) fail("note: bad signature");
    ok = true;
  }
  if (!ok) fail("note: no signature by the key");
  const [origin, size, root] = text.split("\n");
  return { origin, size: Number(size), root: Buffer.from(root, "base64") };
}

// C2SP tlog-cosignature: a witness's key (type 0x04) and its line, whose
// signature is over "cosignature/v1\ntime <t>\n" and the note text.
function parseWitnessKey(text) {
  const [name, hash, ...rest] = text.trim().split("+");
  const raw = Buffer.from(rest.join("+"), "base64");
  if (raw.length !== 33 || raw[0] !== 4) fail("witness key: not a cosignature key");
  const id = sha256(Buffer.from(name), Buffer.from([0x0a]), raw).subarray(0, 4);
  if (id.toString("hex") !== hash.toLowerCase()) fail("witness key: bad key hash");
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), raw.subarray(1)]);
  return { name, id, key: createPublicKey({ key: spki, format: "der", type: "spki" }) };
}

function verifyCosignature(note, wk) {
  const split = note.lastIndexOf("\n\n");
  const text = note.slice(0, split + 1);
  for (const line of note.slice(split + 2).split("\n")) {
    const m = line.match(/^\u2014 (\S+) (\S+)$/);
    if (!m) continue;
    const sig = Buffer.from(m[2], "base64");
    if (m[1] !== wk.name || !sig.subarray(0, 4).equals(wk.id)) continue;
    if (sig.length !== 4 + 8 + 64) fail(`${wk.name}: not an Ed25519 cosignature`);
    const t = sig.readBigUInt64BE(4);
    const msg = Buffer.from(`cosignature/v1\ntime ${t}\n${text}`);
    if (!verify(null, msg, wk.key, sig.subarray(12))) fail(`${wk.name}: bad cosignature`);
    return t;
  }
  fail(`no cosignature by ${wk.name}`);
}

// C2SP tlog-tiles paths: N in groups of three digits, all but the last
// after an "x"; ".p/W" for a partial tile.
function tilePath(level, n, width) {
  let s = String(n % 1000).padStart(3, "0");
  for (n = Math.floor(n / 1000); n > 0; n = Math.floor(n / 1000))
    s = `x${String(n % 1000).padStart(3, "0")}/${s}`;
  return `tile/${level}/${s}${width < 256 ? `.p/${width}` : ""}`;
}

// The entries of a bundle, each a big-endian uint16 length and its bytes.
function bundleEntries(b, what) {
  const out = [];
  for (let pos = 0; pos < b.length;) {
    if (pos + 2 > b.length) fail(`${what}: cut short`);
    const len = b.readUInt16BE(pos);
    if (pos + 2 + len > b.length) fail(`${what}: cut short`);
    out.push(b.subarray(pos + 2, pos + 2 + len));
    pos += 2 + len;
  }
  return out;
}

function checkTiles(vkeyFile, dir, witnessFiles) {
  const note = readFileSync(`${dir}/checkpoint`, "utf8");
  const cp = verifyNote(note, parseVkey(readFileSync(vkeyFile, "utf8")));
  console.log(`tiles: checkpoint ${cp.origin}, size ${cp.size}, signature valid`);
  for (const f of witnessFiles) {
    const wk = parseWitnessKey(readFileSync(f, "utf8"));
    const t = verifyCosignature(note, wk);
    console.log(`tiles: cosigned by ${wk.name} at ${new Date(Number(t) * 1000).toISOString()}`);
  }
  // Level 0: the leaf hashes of the entry bundles' entries.
  const leaves = [];
  for (let n = 0; n * 256 < cp.size; n++) {
    const width = Math.min(256, cp.size - n * 256);
    const path = tilePath("entries", n, width);
    const entries = bundleEntries(readFileSync(`${dir}/${path}`), path);
    if (entries.length !== width) fail(`${path}: not ${width} entries`);
    for (const e of entries) leaves.push(leafHash(e));
  }
  // Each level's tiles; the next level holds the MTH of each full 256.
  let level = leaves, tiles = 0;
  for (let L = 0; level.length > 0; L++) {
    for (let n = 0; n * 256 < level.length; n++) {
      const width = Math.min(256, level.length - n * 256);
      const path = tilePath(L, n, width);
      if (!existsSync(`${dir}/${path}`)) fail(`${path} missing`);
      if (!readFileSync(`${dir}/${path}`).equals(Buffer.concat(level.slice(n * 256, n * 256 + width))))
        fail(`${path} is not the tree's`);
      tiles++;
    }
    const up = [];
    for (let j = 0; (j + 1) * 256 <= level.length; j++) up.push(mth(level, j * 256, j * 256 + 256));
    level = up;
  }
  if (!mth(leaves, 0, cp.size).equals(cp.root)) fail("tiles: the root differs from the checkpoint");
  console.log(`tiles: ${cp.size} entries and ${tiles} hash tiles give the signed root`);
}

if (process.argv[2] === "--tiles") {
  const [vkeyFile, dir, ...witnessFiles] = process.argv.slice(3);
  checkTiles(vkeyFile, dir, witnessFiles);
  process.exit(0);
}

const [vkeyFile, cpFile, entriesFile, ...proofFiles] = process.argv.slice(2);
const vk = parseVkey(readFileSync(vkeyFile, "utf8"));
const cp = verifyNote(readFileSync(cpFile, "utf8"), vk);
console.log(`checkpoint: ${cp.origin}, size ${cp.size}, signature valid`);

const lines = readFileSync(entriesFile, "utf8").split("\n");
if (lines[lines.length - 1] === "") lines.pop();
const leaves = lines.map((l) => leafHash(Buffer.from(l, "utf8")));
if (leaves.length < cp.size) fail(`only ${leaves.length} entries for size ${cp.size}`);
if (!mth(leaves, 0, cp.size).equals(cp.root)) fail("root of the entries differs from the checkpoint");
console.log(`entries: ${cp.size} leaves give the signed root`);
// Each entry is canonical JSON: parsing and re-serialising with sorted
// keys gives the same text for our records (ASCII keys, no floats that
// ECMAScript would print differently).
for (const [i, l] of lines.entries()) {
  const sorted = (v) => Array.isArray(v) ? v.map(sorted)
    : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v;
  if (JSON.stringify(sorted(JSON.parse(l))) !== l) fail(`entry ${i} is not canonical JSON`);
}
console.log("entries: canonical JSON");

for (const f of proofFiles) {
  const p = JSON.parse(readFileSync(f, "utf8"));
  const hashes = p.hashes.map((h) => Buffer.from(h, "base64"));
  if ("leaf_index" in p) {
    const root = p.tree_size === cp.size ? cp.root : mth(leaves, 0, p.tree_size);
    if (!verifyInclusion(p.leaf_index, p.tree_size, leaves[p.leaf_index], hashes, root))
      fail(`${f}: inclusion proof of leaf ${p.leaf_index} does not verify`);
    // Flipping one bit must break it.
    if (hashes.length) {
      const bad = hashes.map((h) => Buffer.from(h));
      bad[0][0] ^= 1;
      if (verifyInclusion(p.leaf_index, p.tree_size, leaves[p.leaf_index], bad, root))
        fail(`${f}: a corrupted proof verifies`);
    }
    console.log(`${f}: inclusion of leaf ${p.leaf_index} in ${p.tree_size} verifies`);
  } else {
    const oldRoot = mth(leaves, 0, p.old_size), newRoot = mth(leaves, 0, p.new_size);
    if (!verifyConsistency(p.old_size, p.new_size, oldRoot, newRoot, hashes))
      fail(`${f}: consistency ${p.old_size} -> ${p.new_size} does not verify`);
    console.log(`${f}: consistency ${p.old_size} -> ${p.new_size} verifies`);
  }
}
