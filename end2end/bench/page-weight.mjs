// Bytes on the wire of a cold first visit, page by page (scripts/page-weight.sh; README › Ce qui
// circule sur le réseau › Mesurer).
//
// Each page is opened in a fresh browser context (empty cache, a phone's screen), logged in
// beforehand through the API when the page needs it (no page, no asset loaded for the login), and
// measured from the navigation until the page is hydrated (`html[data-hydrated]`), no `/pkg/`
// file is in flight, the fonts are loaded (`document.fonts.ready`) and no request has started for
// a short while. Bytes are those Chromium counts on the wire (`Network.loadingFinished`
// `encodedDataLength`: headers and compressed body), with `Accept-Encoding: br, gzip`.
// The same page is then opened again in the same context: the site's files (`/pkg/`, `/dsfr/`)
// should come from the cache or answer 304, and what they download again is reported.
//
// Environment: PERMIS_BASE_URL (a server with the demo accounts, required), LEPTOS_SITE_ROOT
// (for the main WASM's sizes), PERMIS_BUDGET_CONNEXION, PERMIS_BUDGET_MONESPACE and
// PERMIS_BUDGET_ETAPE (bytes; defaults below), PERMIS_WEIGHT_ETAPE (the stepper step, default 1), CHROMIUM_PATH.
// `--details` lists every request. Exit status: 0 within budget, 1 over budget, 2 error.
import { chromium, devices } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const base = process.env.PERMIS_BASE_URL;
if (!base) {
  console.error('PERMIS_BASE_URL manquant (scripts/page-weight.sh le fournit)');
  process.exit(2);
}
const details = process.argv.includes('--details');
const siteRoot = process.env.LEPTOS_SITE_ROOT ?? '../target/site';
// Budgets: today's weight and a little margin, so that nothing grows unnoticed. The goals of the
// « phone-first » issue (300 000 for the candidate's pages, 450 000 for a step) are printed
// next to them; the README says what still separates the pages from them.
const budget = (name, fallback) => Number(process.env[name] ?? fallback);
const budgets = {
  connexion: budget('PERMIS_BUDGET_CONNEXION', 335000),
  monespace: budget('PERMIS_BUDGET_MONESPACE', 450000),
  etape: budget('PERMIS_BUDGET_ETAPE', 725000),
};
const goals = { connexion: 300000, monespace: 300000, etape: 450000 };
const etape = Number(process.env.PERMIS_WEIGHT_ETAPE ?? 1);
const timeout = 120_000;
const QUIET_MS = 300;

const demo = {
  ecole: { espace: 'pro', identifiant: 'ecole.gare', password: 'vitesse limitee a 50' },
  usager: { espace: 'usager', identifiant: 'pmartin', password: 'tartine du dimanche' },
};

const { userAgent: _ua, defaultBrowserType: _b, ...phone } = devices['Pixel 7'];
const contextOptions = {
  ...phone,
  locale: 'fr-FR',
  // Chromium advertises brotli over HTTPS only; the server is plain HTTP here, as behind a proxy
  // that terminates TLS. What a phone's browser asks for in production:
  extraHTTPHeaders: { 'Accept-Encoding': 'br, gzip' },
};

const fmt = (n) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');

/** Logs `context` in through the API (the cookie lands in the context's jar). */
async function login(context, account) {
  const r = await context.request.post(`${base}/api/connexion`, {
    form: { espace: account.espace, identifiant: account.identifiant, password: account.password },
    headers: { Origin: base },
    maxRedirects: 0,
  });
  const cookies = await context.cookies(base);
  if (r.status() >= 400 || !cookies.some((c) => /session/.test(c.name))) {
    throw new Error(`connexion de ${account.identifiant} refusée (${r.status()}) : ${(await r.text()).slice(0, 200)}`);
  }
}

/** A draft demande of the demo school, created through the API; returns its id. */
async function draftDemande(browser) {
  const context = await browser.newContext(contextOptions);
  try {
    await login(context, demo.ecole);
    const r = await context.request.post(`${base}/api/demandes/nouvelle`, {
      headers: { Origin: base },
      maxRedirects: 0,
    });
    const location = r.headers()['location'] ?? '';
    const id = location.match(/\/ecole\/demandes\/(\d+)\//)?.[1];
    if (!id) throw new Error(`brouillon non créé (${r.status()}, location « ${location} »)`);
    return id;
  } finally {
    await context.close();
  }
}

function category(url, type) {
  const p = new URL(url).pathname;
  if (type === 'Document') return 'html';
  if (p.endsWith('.wasm')) return 'wasm';
  if (type === 'Stylesheet' || p.endsWith('.css')) return 'css';
  if (type === 'Script' || p.endsWith('.js')) return 'js';
  if (type === 'Font' || /\.(woff2?|ttf|otf)$/.test(p)) return 'fonts';
  return 'other';
}

/** What the page fetches, from the Network domain of the page's CDP session. */
class Recorder {
  constructor(cdp) {
    this.reset();
    cdp.on('Network.requestWillBeSent', (e) => {
      let r = this.requests.get(e.requestId);
      if (r && e.redirectResponse) {
        r.redirectBytes += e.redirectResponse.encodedDataLength ?? 0;
        r.url = e.request.url;
      } else {
        r = { url: e.request.url, type: e.type, redirectBytes: 0, done: false, bytes: 0, headerBytes: 0 };
        this.requests.set(e.requestId, r);
      }
      this.lastStart = Date.now();
    });
    cdp.on('Network.requestServedFromCache', (e) => {
      const r = this.requests.get(e.requestId);
      if (r) r.cache = 'memory';
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = this.requests.get(e.requestId);
      if (!r) return;
      r.type = e.type ?? r.type;
      r.status = e.response.status;
      r.headerBytes = e.response.encodedDataLength ?? 0;
      const h = Object.fromEntries(Object.entries(e.response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      r.encoding = h['content-encoding'] ?? '';
      if (e.response.fromDiskCache) r.cache = 'disk';
      if (e.response.fromMemoryCache) r.cache = 'memory';
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = this.requests.get(e.requestId);
      if (!r) return;
      r.done = true;
      r.bytes = (e.encodedDataLength ?? 0) + r.redirectBytes;
    });
    cdp.on('Network.loadingFailed', (e) => {
      const r = this.requests.get(e.requestId);
      if (!r) return;
      r.done = true;
      r.failed = e.errorText || 'failed';
    });
  }
  reset() {
    this.requests = new Map();
    this.lastStart = Date.now();
  }
  pkgInFlight() {
    return [...this.requests.values()].filter((r) => !r.done && new URL(r.url).pathname.startsWith('/pkg/')).length;
  }
  list() {
    return [...this.requests.values()].filter((r) => r.url.startsWith('http'));
  }
}

/** Hydrated, no /pkg/ file in flight, fonts loaded, and no request started for QUIET_MS. */
async function settled(page, recorder) {
  await page.locator('html[data-hydrated]').waitFor({ state: 'attached', timeout });
  const deadline = Date.now() + timeout;
  for (;;) {
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
    if (recorder.pkgInFlight() === 0 && Date.now() - recorder.lastStart >= QUIET_MS) return;
    if (Date.now() > deadline) throw new Error(`${page.url()} : des fichiers /pkg/ sont encore en cours de chargement`);
    await page.waitForTimeout(50);
  }
}

async function measure(browser, { label, path: pagePath, account, budget, goal }) {
  const context = await browser.newContext(contextOptions);
  try {
    if (account) await login(context, account);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    const cdp = await context.newCDPSession(page);
    const recorder = new Recorder(cdp);
    await cdp.send('Network.enable');

    const url = base + pagePath;
    await page.goto(url, { timeout });
    await settled(page, recorder);
    const landed = new URL(page.url()).pathname;
    if (landed !== pagePath) throw new Error(`${pagePath} a mené à ${landed} (connexion manquante ?)`);
    const cold = recorder.list();

    // Repeat visit: the same page, opened again (a link followed, not a forced reload).
    recorder.reset();
    await page.goto(url, { timeout });
    await settled(page, recorder);
    const again = recorder.list();

    const sums = { html: 0, css: 0, js: 0, wasm: 0, fonts: 0, other: 0 };
    for (const r of cold) sums[category(r.url, r.type)] += r.bytes;
    const total = Object.values(sums).reduce((a, b) => a + b, 0);
    const seen = new Map();
    for (const r of cold) seen.set(r.url, (seen.get(r.url) ?? 0) + 1);
    const duplicates = [...seen].filter(([, n]) => n > 1).map(([u, n]) => `${new URL(u).pathname} ×${n}`);
    const isStatic = (r) => /^\/(pkg|dsfr)\//.test(new URL(r.url).pathname);
    const staticAgain = again.filter(isStatic);
    // A revalidated file shows as a 304, or (files read by fetch(), like the WASM) as the cached
    // 200 with headers only: its body on the wire is what counts.
    const body = (r) => Math.max(0, r.bytes - r.headerBytes);
    const fromCache = staticAgain.filter((r) => r.cache).length;
    const reloaded = staticAgain.filter((r) => !r.cache && !r.failed && body(r) > 0);
    const revalidated = staticAgain.filter((r) => !r.cache && !r.failed && body(r) === 0).length;
    const repeatBytes = reloaded.reduce((a, r) => a + body(r), 0);
    const headerBytes = cold.reduce((a, r) => a + r.headerBytes, 0);
    const encodings = {};
    for (const r of cold) if (r.encoding) encodings[r.encoding] = (encodings[r.encoding] ?? 0) + 1;
    const uncompressed = cold.filter(
      (r) => !r.encoding && r.bytes > 1024 && /^(html|css|js|wasm)$/.test(category(r.url, r.type)),
    );

    return {
      label, path: pagePath, requests: cold.length, total, sums, budget, goal,
      repeatBytes, revalidated, fromCache, reloaded, headerBytes, duplicates, encodings, uncompressed,
      failed: cold.filter((r) => r.failed), errors, cold, again,
    };
  } finally {
    await context.close();
  }
}

function mainWasmSizes() {
  // `permis.wasm`, or `permis.<hash>.wasm` when cargo-leptos names the files with their hash.
  const pkg = path.join(siteRoot, 'pkg');
  const name = fs.readdirSync(pkg).find((f) => /^permis(\.[A-Za-z0-9_-]{22})?\.wasm$/.test(f));
  const file = path.join(pkg, name ?? 'permis.wasm');
  const data = fs.readFileSync(file);
  const gz = zlib.gzipSync(data, { level: 9 }).length;
  const br = zlib.brotliCompressSync(data, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }).length;
  return { file, raw: data.length, gz, br };
}

function table(rows) {
  const head = ['page', 'requêtes', 'total', 'html', 'css', 'js', 'wasm', 'polices', 'autres', 'revisite (statiques)', 'budget', 'résultat', 'objectif'];
  const body = rows.map((r) => [
    r.path,
    String(r.requests),
    fmt(r.total),
    fmt(r.sums.html), fmt(r.sums.css), fmt(r.sums.js), fmt(r.sums.wasm), fmt(r.sums.fonts), fmt(r.sums.other),
    `${fmt(r.repeatBytes)} (${r.revalidated} revalidés, ${r.fromCache} en cache)`,
    fmt(r.budget),
    r.total <= r.budget ? 'OK' : 'DÉPASSÉ',
    `${fmt(r.goal)} ${r.total <= r.goal ? 'atteint' : 'pas encore'}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|') + '|', ...body.map(line)].join('\n');
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run',
    ],
  });
  let rows;
  try {
    const id = await draftDemande(browser);
    const pages = [
      { label: 'connexion', path: '/connexion', budget: budgets.connexion, goal: goals.connexion },
      { label: 'monespace', path: '/monespace', account: demo.usager, budget: budgets.monespace, goal: goals.monespace },
      { label: 'étape', path: `/ecole/demandes/${id}/etape/${etape}`, account: demo.ecole, budget: budgets.etape, goal: goals.etape },
    ];
    rows = [];
    for (const p of pages) rows.push(await measure(browser, p));
  } finally {
    await browser.close();
  }

  console.log(`Poids au fil d'une première visite (cache vide, téléphone, Accept-Encoding: br, gzip), octets — ${base}`);
  console.log(table(rows));
  const w = mainWasmSizes();
  console.log(`WASM principal (${w.file}) : ${fmt(w.raw)} octets bruts, ${fmt(w.gz)} en gzip -9, ${fmt(w.br)} en brotli 11`);
  for (const r of rows) {
    const notes = [];
    notes.push(`encodages ${Object.entries(r.encodings).map(([k, v]) => `${k}×${v}`).join(', ') || 'aucun'}`);
    notes.push(`dont en-têtes de réponse ${fmt(r.headerBytes)} octets`);
    if (r.duplicates.length) notes.push(`téléchargés deux fois : ${r.duplicates.join(', ')}`);
    if (r.uncompressed.length) notes.push(`non compressés : ${r.uncompressed.map((x) => new URL(x.url).pathname).join(', ')}`);
    if (r.reloaded.length) notes.push(`retéléchargés à la revisite : ${r.reloaded.map((x) => `${new URL(x.url).pathname} (${x.status}, ${fmt(x.bytes - x.headerBytes)} octets)`).join(', ')}`);
    if (r.failed.length) notes.push(`échecs : ${r.failed.map((x) => `${new URL(x.url).pathname} (${x.failed})`).join(', ')}`);
    if (r.errors.length) notes.push(`erreurs de la console : ${r.errors.slice(0, 3).join(' / ')}`);
    console.log(`  ${r.path} : ${notes.join(' ; ')}`);
  }
  if (details) {
    for (const r of rows) {
      for (const [name, list] of [['première visite', r.cold], ['revisite', r.again]]) {
        console.log(`\n${r.path} — ${name}`);
        for (const x of list) {
          const where = x.cache ? `cache ${x.cache}` : x.failed ? `échec ${x.failed}` : String(x.status);
          console.log(`  ${fmt(x.bytes).padStart(9)}  ${where.padEnd(12)} ${(x.encoding || '-').padEnd(5)} ${category(x.url, x.type).padEnd(6)} ${new URL(x.url).pathname}`);
        }
      }
    }
  }
  const over = rows.filter((r) => r.total > r.budget);
  if (over.length) {
    for (const r of over) console.error(`${r.path} : ${fmt(r.total)} octets, au-dessus du budget de ${fmt(r.budget)}`);
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(2);
});
