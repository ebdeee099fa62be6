// Checks made in the browser, from the specs, with nothing of the server's
// taken on trust but the bytes it hands over (docs/verifying.md, "In the
// browser"): C2SP signed-note (the log's signature on a checkpoint),
// tlog-cosignature (the witnesses'), tlog-checkpoint (its body), and RFC
// 9162's inclusion proof of a record's entry. The reference is
// tests/ledger/verifier.mjs; here SHA-256 and Ed25519 are @noble's, so the
// checks run in any browser, over plain HTTP too (WebCrypto's subtle API
// exists only in secure contexts).
import * as ed from "@noble/ed25519";
import { sha256, sha512 } from "@noble/hashes/sha2.js";

ed.hashes.sha512 = sha512;

export const KEY_ED25519 = 0x01;
export const KEY_COSIGNATURE = 0x04;

const enc = new TextEncoder();

function concat(...parts) {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export function fromBase64(s) {
  if (typeof s !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw new Error("not base64");
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function toBase64(b) {
  let s = "";
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s);
}

function hex(b) {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

// A verifier key "<name>+<8 hex>+<base64(type || key)>" of the type asked:
// {name, id (its 4-byte key ID), pub}. Throws with what is wrong.
export function parseVerifierKey(text, type) {
  const t = String(text ?? "").trim();
  const a = t.indexOf("+");
  const b = t.indexOf("+", a + 1);
  if (a <= 0 || b < 0) throw new Error("a verifier key is <name>+<key hash>+<base64 key>");
  const name = t.slice(0, a);
  const hash = t.slice(a + 1, b);
  const raw = fromBase64(t.slice(b + 1));
  if (raw.length !== 33 || raw[0] !== type) throw new Error(`${name}: not a ${type === KEY_COSIGNATURE ? "cosignature (witness)" : "log (Ed25519)"} verifier key`);
  const id = sha256(concat(enc.encode(name), Uint8Array.of(0x0a), raw)).slice(0, 4);
  if (hex(id) !== hash.toLowerCase()) throw new Error(`${name}: the key hash does not match the key`);
  return { name, id, pub: raw.slice(1) };
}

// The note's text (up to and including the newline before the last blank
// line) and its signature lines [{name, id, sig}].
export function parseNote(note) {
  if (typeof note !== "string") throw new Error("no note");
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) throw new Error("a signed note has a blank line, then signature lines");
  const text = note.slice(0, split + 1);
  const sigs = [];
  for (const line of note.slice(split + 2, -1).split("\n")) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new Error(`not a signature line: ${JSON.stringify(line.slice(0, 80))}`);
    const raw = fromBase64(m[2]);
    if (raw.length < 5) throw new Error(`${m[1]}: the signature is too short`);
    sigs.push({ name: m[1], id: raw.slice(0, 4), sig: raw.slice(4) });
  }
  return { text, sigs };
}

// c2sp.org/tlog-checkpoint: origin, size, base64 root, then extension lines.
export function parseCheckpoint(text) {
  const lines = text.split("\n");
  if (lines.length < 4) throw new Error("a checkpoint has an origin, a size and a root");
  const [origin, size, root] = lines;
  if (!/^(0|[1-9][0-9]*)$/.test(size)) throw new Error(`the size is not a number: ${JSON.stringify(size)}`);
  const r = fromBase64(root);
  if (r.length !== 32) throw new Error("the root is not 32 bytes");
  return { origin, size: Number(size), root: r };
}

function signatureBy(sigs, key) {
  return sigs.filter((s) => s.name === key.name && equalBytes(s.id, key.id));
}

// Every check of a checkpoint note against the log's key and the
// witnesses' (each {name, key}, a cosignature verifier key's text), with
// quorum cosignatures needed (default: every witness). Returns {ok,
// checkpoint, problems: [text], log: bool, witnesses: [{name, ok, time,
// problem}], cosigned} and never throws.
export function checkCheckpoint(note, { logKey, witnesses = [], quorum, origin } = {}) {
  const out = { ok: false, checkpoint: null, problems: [], log: false, witnesses: [], cosigned: 0, quorum: 0 };
  let parsed;
  try {
    parsed = parseNote(note);
  } catch (e) {
    out.problems.push(`the checkpoint is not a signed note: ${e.message}`);
    return out;
  }
  const msg = enc.encode(parsed.text);
  let lk;
  try {
    lk = parseVerifierKey(logKey, KEY_ED25519);
  } catch (e) {
    out.problems.push(`the log's verifier key: ${e.message}`);
    return out;
  }
  const mine = signatureBy(parsed.sigs, lk);
  if (mine.length === 0) out.problems.push(`the checkpoint has no signature by the log's key (${lk.name})`);
  else if (mine.some((s) => s.sig.length !== 64 || !ed.verify(s.sig, msg, lk.pub))) out.problems.push(`the log's signature (${lk.name}) does not verify: the checkpoint is not the one the log signed`);
  else out.log = true;
  if (out.log) {
    try {
      out.checkpoint = parseCheckpoint(parsed.text);
      if (origin && out.checkpoint.origin !== origin) out.problems.push(`the checkpoint is of ${out.checkpoint.origin}, not this corridor's log ${origin}`);
    } catch (e) {
      out.problems.push(`the checkpoint's body: ${e.message}`);
    }
  }
  for (const w of witnesses) {
    const r = { name: w.name, ok: false, time: null, problem: null };
    try {
      const wk = parseVerifierKey(w.key, KEY_COSIGNATURE);
      const lines = signatureBy(parsed.sigs, wk);
      if (lines.length === 0) r.problem = "no cosignature";
      for (const s of lines) {
        if (s.sig.length !== 72) throw new Error("not an Ed25519 cosignature");
        const t = new DataView(s.sig.buffer, s.sig.byteOffset, 8).getBigUint64(0);
        const signed = concat(enc.encode(`cosignature/v1\ntime ${t}\n`), msg);
        if (!ed.verify(s.sig.slice(8), signed, wk.pub)) throw new Error("the cosignature does not verify");
        r.ok = true;
        r.time = Number(t);
      }
    } catch (e) {
      r.ok = false;
      r.problem = e.message;
      // A line by a witness's key that fails makes the note invalid.
      out.problems.push(`witness ${w.name}: ${e.message}`);
    }
    if (r.ok) out.cosigned++;
    out.witnesses.push(r);
  }
  out.quorum = quorum ?? witnesses.length;
  if (out.cosigned < out.quorum) out.problems.push(`cosigned by ${out.cosigned} of the ${witnesses.length} witnesses, ${out.quorum} needed`);
  out.ok = out.problems.length === 0 && out.log && out.checkpoint !== null;
  return out;
}

export function leafHash(bytes) {
  return sha256(concat(Uint8Array.of(0), bytes));
}

function nodeHash(l, r) {
  return sha256(concat(Uint8Array.of(1), l, r));
}

// RFC 9162 section 2.1.3.2.
export function verifyInclusion(index, size, leaf, proof, root) {
  if (!(index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        do {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        } while (fn % 2 === 0 && fn !== 0);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equalBytes(r, root);
}

// A record's entry (its canonical bytes) against a verified checkpoint: the
// bytes are the record asked for, and the inclusion proof ({leaf_index,
// tree_size, hashes}) takes their leaf hash to the checkpoint's root.
// Returns {ok, problems, leaf}.
export function checkEntry(bytes, proof, checkpoint, { id } = {}) {
  const problems = [];
  let rec = null;
  try {
    rec = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    problems.push("the entry's bytes are not JSON");
  }
  if (rec && id !== undefined && rec.id !== id) problems.push(`the entry is of ${JSON.stringify(rec.id)}, not the record asked for`);
  const leaf = leafHash(bytes);
  if (!proof || proof.tree_size !== checkpoint.size) problems.push(`the proof is for a tree of ${proof?.tree_size}, not the checkpoint's ${checkpoint.size}`);
  else {
    let hashes;
    try {
      hashes = proof.hashes.map(fromBase64);
    } catch {
      hashes = null;
    }
    if (!hashes || !verifyInclusion(proof.leaf_index, proof.tree_size, leaf, hashes, checkpoint.root)) problems.push("the inclusion proof does not lead to the checkpoint's root: this entry is not in the signed log as shown");
  }
  return { ok: problems.length === 0, problems, leaf, record: rec };
}
