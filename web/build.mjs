// Builds web/dist from web/src: the dashboard (index.html), the entry page
// (entry.html), their bundles under assets/ with a content hash in each name
// (served with long caching), and the service worker sw.js at the root (so
// its scope covers /entry), which precaches exactly this build's files.
//
// usage: node build.mjs [--out DIR] [--build-id ID]
//
// The build id names this version of the pages (shown in their footers and
// in the service worker's cache name); by default it is a hash of every file
// the build writes, so an unchanged source gives the same dist byte for
// byte. The output is written to a temporary folder beside DIR and renamed
// over it, so a server never serves half a build.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const args = { out: path.join(here, "dist"), buildId: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--out") args.out = path.resolve(argv[++i]);
    else if (argv[i] === "--build-id") args.buildId = argv[++i];
    else throw new Error(`build.mjs: unknown argument ${argv[i]}`);
  }
  return args;
}

function hash(data, n = 10) {
  return createHash("sha256").update(data).digest("hex").slice(0, n);
}

// One bundle per page. esbuild writes into memory; we name the files by
// their content ourselves so the names are stable across machines.
async function bundle(entry, buildId) {
  const result = await build({
    entryPoints: [path.join(here, "src", entry)],
    bundle: true,
    format: "esm",
    minify: true,
    sourcemap: false,
    write: false,
    target: ["chrome100", "firefox100", "safari15"],
    outdir: "out",
    loader: { ".png": "empty", ".svg": "empty" },
    define: { __BUILD_ID__: JSON.stringify(buildId ?? "") },
    legalComments: "none",
    logLevel: "warning",
  });
  const files = {};
  for (const f of result.outputFiles) files[path.extname(f.path)] = f.contents;
  return files;
}

function page(template, assets, buildId) {
  return template
    .replaceAll("{{BUILD_ID}}", buildId)
    .replace("{{CSS}}", assets.css ? `<link rel="stylesheet" href="/assets/${assets.css}">` : "")
    .replace("{{JS}}", `<script type="module" src="/assets/${assets.js}"></script>`);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const pages = [
    { name: "dashboard", entry: "dashboard/main.js", html: "dashboard/index.html", out: "index.html" },
    { name: "entry", entry: "entry/main.js", html: "entry/entry.html", out: "entry.html" },
  ];
  // Two passes when no id is given: the id is the hash of the first pass's
  // output, which the second pass embeds.
  const provisional = args.buildId ?? "dev";
  let outputs = await render(pages, provisional);
  let buildId = args.buildId;
  if (!buildId) {
    const h = createHash("sha256");
    for (const [name, data] of Object.entries(outputs).sort()) h.update(name).update(data);
    buildId = h.digest("hex").slice(0, 12);
    outputs = await render(pages, buildId);
  }
  const tmp = `${args.out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(tmp, "assets"), { recursive: true });
  for (const [name, data] of Object.entries(outputs)) fs.writeFileSync(path.join(tmp, name), data);
  const old = `${args.out}.old-${process.pid}`;
  if (fs.existsSync(args.out)) fs.renameSync(args.out, old);
  fs.renameSync(tmp, args.out);
  fs.rmSync(old, { recursive: true, force: true });
  console.log(`web: built ${args.out} (version ${buildId}, ${Object.keys(outputs).length} files)`);
}

async function render(pages, buildId) {
  const outputs = {};
  for (const p of pages) {
    const b = await bundle(p.entry, buildId);
    const assets = {};
    for (const ext of [".js", ".css"]) {
      if (!b[ext]) continue;
      const name = `${p.name}-${hash(b[ext])}${ext}`;
      outputs[`assets/${name}`] = b[ext];
      assets[ext.slice(1)] = name;
    }
    const template = fs.readFileSync(path.join(here, "src", p.html), "utf8");
    outputs[p.out] = page(template, assets, buildId);
  }
  outputs["manifest.webmanifest"] = fs.readFileSync(path.join(here, "src", "entry", "manifest.webmanifest"));
  outputs["icon.svg"] = fs.readFileSync(path.join(here, "src", "common", "icon.svg"));
  // The service worker precaches what this build wrote, under the URLs the
  // server gives them: / and /entry for the pages.
  const precache = Object.keys(outputs)
    .map((n) => (n === "index.html" ? "/" : n === "entry.html" ? "/entry" : `/${n}`))
    .sort();
  const sw = await build({
    entryPoints: [path.join(here, "src", "sw.js")],
    bundle: true,
    format: "iife",
    minify: true,
    write: false,
    target: ["chrome100", "firefox100", "safari15"],
    define: {
      __BUILD_ID__: JSON.stringify(buildId),
      __PRECACHE__: JSON.stringify(precache),
    },
    legalComments: "none",
    logLevel: "warning",
  });
  outputs["sw.js"] = sw.outputFiles[0].contents;
  return outputs;
}

main().catch((e) => {
  console.error(e.message || e);
  process.exit(1);
});
