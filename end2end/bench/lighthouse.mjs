// Lighthouse on a phone (scripts/lighthouse.sh; README › Ce qui circule sur le réseau › Mesurer):
// /, /connexion, /monespace (candidate logged in) and a step of the school's stepper (school
// logged in), each run in a fresh Chromium (Debian's, CHROME_PATH) with Lighthouse's mobile
// profile and its default simulated throttling. A logged-in page gets the session cookie through
// `--extra-headers` (the login happens through the API, outside the browser). Every request says
// `Accept-Encoding: br, gzip`, as a phone's browser does over HTTPS (Chromium advertises brotli
// over HTTPS only; the throwaway server is plain HTTP).
//
// Environment: PERMIS_BASE_URL (required), PERMIS_LIGHTHOUSE_OUT (reports, default
// ../target/lighthouse), PERMIS_WEIGHT_ETAPE (the step, default 1).
// Options: --runs N (default 1), --check (exit 1 when a page's median is below performance 95,
// accessibility 100 or best practices 95), --audits (list what each page fails).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const base = process.env.PERMIS_BASE_URL;
if (!base) {
  console.error('PERMIS_BASE_URL manquant (scripts/lighthouse.sh le fournit)');
  process.exit(2);
}
const argv = process.argv.slice(2);
const check = argv.includes('--check');
const listAudits = argv.includes('--audits');
const runsArg = argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(argv[runsArg + 1]) : 1;
if (!(runs >= 1)) {
  console.error('--runs N : N ≥ 1');
  process.exit(2);
}
const out = path.resolve(process.env.PERMIS_LIGHTHOUSE_OUT ?? '../target/lighthouse');
const etape = Number(process.env.PERMIS_WEIGHT_ETAPE ?? 1);
const thresholds = { performance: 95, accessibility: 100, 'best-practices': 95 };

const demo = {
  ecole: { espace: 'pro', identifiant: 'ecole.gare', password: 'vitesse limitee a 50' },
  usager: { espace: 'usager', identifiant: 'pmartin', password: 'tartine du dimanche' },
};

/** The session cookie (`name=value`) of a login through the API. */
async function login(account) {
  const r = await fetch(`${base}/api/connexion`, {
    method: 'POST',
    headers: { Origin: base, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ espace: account.espace, identifiant: account.identifiant, password: account.password }),
    redirect: 'manual',
  });
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).find((c) => /session/.test(c));
  if (!cookie) throw new Error(`connexion de ${account.identifiant} refusée (${r.status})`);
  return cookie;
}

/** A draft demande of the school whose session is `cookie`; returns its id. */
async function draftDemande(cookie) {
  const r = await fetch(`${base}/api/demandes/nouvelle`, {
    method: 'POST',
    headers: { Origin: base, Cookie: cookie },
    redirect: 'manual',
  });
  const id = (r.headers.get('location') ?? '').match(/\/ecole\/demandes\/(\d+)\//)?.[1];
  if (!id) throw new Error(`brouillon non créé (${r.status})`);
  return id;
}

function lighthouse(url, headers, outputBase) {
  const args = [
    url,
    '--quiet',
    '--form-factor=mobile',
    '--throttling-method=simulate',
    '--only-categories=performance,accessibility,best-practices,seo',
    '--chrome-flags=--headless=new --no-sandbox',
    `--extra-headers=${JSON.stringify(headers)}`,
    '--output=json',
    '--output=html',
    `--output-path=${outputBase}`,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('node_modules/.bin/lighthouse', args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, CHROME_PATH: process.env.CHROME_PATH ?? '/usr/bin/chromium' },
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`lighthouse ${url} : code ${code}`));
      resolve(JSON.parse(fs.readFileSync(`${outputBase}.report.json`, 'utf8')));
    });
  });
}

const score = (lhr, id) => (lhr.categories[id]?.score == null ? NaN : Math.round(lhr.categories[id].score * 100));
const metric = (lhr, id) => lhr.audits[id]?.numericValue;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** What the page fails: audits of the four categories scored below 1, worst first. */
function failing(lhr) {
  const found = new Map();
  for (const [cat, c] of Object.entries(lhr.categories)) {
    for (const ref of c.auditRefs) {
      const a = lhr.audits[ref.id];
      if (!a || a.score === null || a.score >= 1) continue;
      if (!['binary', 'numeric', 'metricSavings'].includes(a.scoreDisplayMode)) continue;
      if (ref.group === 'metrics') continue; // the metrics are in the table
      if (!found.has(a.id)) found.set(a.id, { cat, id: a.id, title: a.title, score: a.score, value: a.displayValue ?? '' });
    }
  }
  return [...found.values()].sort((a, b) => a.score - b.score);
}

function table(rows) {
  const head = ['page', 'performance', 'accessibilité', 'bonnes pratiques', 'SEO', 'FCP', 'LCP', 'TBT', 'CLS', 'indice CPU'];
  const body = rows.map((r) => [
    r.label,
    String(score(r.lhr, 'performance')),
    String(score(r.lhr, 'accessibility')),
    String(score(r.lhr, 'best-practices')),
    String(score(r.lhr, 'seo')),
    `${(metric(r.lhr, 'first-contentful-paint') / 1000).toFixed(1)} s`,
    `${(metric(r.lhr, 'largest-contentful-paint') / 1000).toFixed(1)} s`,
    `${Math.round(metric(r.lhr, 'total-blocking-time'))} ms`,
    metric(r.lhr, 'cumulative-layout-shift').toFixed(3),
    String(Math.round(r.lhr.environment.benchmarkIndex)),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => '| ' + cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w, i) => (i === 0 ? ':' : '-') + '-'.repeat(w) + (i === 0 ? '-' : ':')).join('|') + '|', ...body.map(line)].join('\n');
}

async function main() {
  const load = os.loadavg();
  fs.mkdirSync(out, { recursive: true });
  const usager = await login(demo.usager);
  const ecole = await login(demo.ecole);
  const id = await draftDemande(ecole);
  const encoding = { 'Accept-Encoding': 'br, gzip' };
  const pages = [
    { name: 'accueil', path: '/', headers: encoding },
    { name: 'connexion', path: '/connexion', headers: encoding },
    { name: 'monespace', path: '/monespace', headers: { ...encoding, Cookie: usager } },
    { name: `etape-${etape}`, path: `/ecole/demandes/${id}/etape/${etape}`, headers: { ...encoding, Cookie: ecole } },
  ];
  const rows = [];
  for (const p of pages) {
    for (let run = 1; run <= runs; run++) {
      const file = path.join(out, runs > 1 ? `${p.name}-${run}` : p.name);
      const lhr = await lighthouse(base + p.path, p.headers, file);
      if (lhr.runtimeError) throw new Error(`${p.path} : ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
      const landed = new URL(lhr.finalDisplayedUrl ?? lhr.finalUrl).pathname;
      if (landed !== p.path) throw new Error(`${p.path} a mené à ${landed} (connexion manquante ?)`);
      rows.push({ ...p, run, lhr, label: runs > 1 ? `${p.path} (${run})` : p.path });
      process.stderr.write(`  ${p.path} (${run}/${runs}) : ${file}.report.html\n`);
    }
  }

  console.log(`Lighthouse ${rows[0].lhr.lighthouseVersion}, mobile, limitation simulée — ${base} — ${rows[0].lhr.environment.hostUserAgent.match(/Chrome\/[\d.]+/)?.[0] ?? ''}`);
  console.log(table(rows));
  console.log(`(indice CPU : benchmarkIndex de Lighthouse, mesuré à chaque essai ; une machine chargée le fait baisser et monter le TBT ; charge moyenne au départ : ${load.map((x) => x.toFixed(1)).join(' ')})`);
  for (const w of new Set(rows.flatMap((r) => r.lhr.runWarnings ?? []))) console.log(`avertissement : ${w}`);

  if (listAudits) {
    for (const p of pages) {
      const mine = rows.filter((r) => r.path === p.path);
      const byId = new Map();
      for (const r of mine) for (const f of failing(r.lhr)) byId.set(f.id, { ...f, runs: (byId.get(f.id)?.runs ?? 0) + 1 });
      console.log(`\n${p.path} — audits non réussis${runs > 1 ? ' (n/N : dans n essais sur N)' : ''}`);
      if (!byId.size) console.log('  (aucun)');
      for (const f of byId.values()) {
        const seen = runs > 1 ? ` [${f.runs}/${runs}]` : '';
        console.log(`  ${f.cat.padEnd(14)} ${f.id} — ${f.title}${f.value ? ` — ${f.value}` : ''}${seen}`);
      }
    }
  }

  if (check) {
    const low = [];
    for (const p of pages) {
      const mine = rows.filter((r) => r.path === p.path);
      for (const [cat, min] of Object.entries(thresholds)) {
        const m = median(mine.map((r) => score(r.lhr, cat)));
        if (!(m >= min)) low.push(`${p.path} : ${cat} ${m} < ${min}`);
      }
    }
    if (low.length) {
      for (const l of low) console.error(l);
      process.exit(1);
    }
  }
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(2);
});
