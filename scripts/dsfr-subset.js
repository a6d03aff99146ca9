#!/usr/bin/env node
// The part of the DSFR this service uses, for scripts/setup.sh step 5.
//
//   node scripts/dsfr-subset.js [DSFR dist directory] [site's dsfr directory]
//        (defaults: node_modules/@gouvfr/dsfr/dist and public/dsfr, served as /dsfr/)
//
// Writes into the site's dsfr directory (next to the full copies, which stay):
//   permis-dsfr.min.css   dsfr.min.css (core, scheme, every component) kept in its own order,
//                         less: the rules of the components the service does not use, the
//                         Internet Explorer rules (`-ms-high-contrast` media queries, which no
//                         current browser matches), and every selector that needs a `fr-…` class
//                         the service does not use (variants, sizes, spacing and grid utilities).
//   permis-icons.min.css  the rules of utility/icons/icons.min.css for the icons the service uses
//                         (the shared `[class*=" fr-icon-"]::before` rules are in the core).
//   fonts/Marianne-*.woff2  reduced to the Latin script, the rest in fonts/Marianne-*.ext.woff2
//                         (see « Marianne » below); the .woff files and Spectral stay whole.
//
// The classes the service uses are the `fr-…` words of app/src, server/src and style: Leptos
// `view!` markup, strings, format! patterns. A word cut short by a format! placeholder
// (`fr-alert--{kind}`) or ending with a dash keeps every class it begins. A component is used
// when a class it styles is used; the components it depends on (its `.package.yml` in the DSFR
// sources, else its README) come with it. Rules are attributed to components by matching
// dsfr.min.css against core/core.min.css, scheme/scheme.min.css and component/*/*.min.css; a rule
// that matches none is kept.
//
// Fails (exit 1) when a `fr-icon-…` (or spacing, grid column) class of the sources does not
// exist in the DSFR — a typo — or when a url() of the output points to no file of the site.
'use strict';

const fs = require('fs');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.resolve(process.argv[2] || path.join(ROOT, 'node_modules/@gouvfr/dsfr/dist'));
const OUT = path.resolve(process.argv[3] || path.join(ROOT, 'public/dsfr'));
const SOURCES = ['app/src', 'server/src', 'style'].map((d) => path.join(ROOT, d));
const SOURCE_EXT = new Set(['.rs', '.css', '.html']);

function fail(message) {
  console.error(`dsfr-subset: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// CSS, as much as minified DSFR files need: a tree of rules and nesting at-rules.

const NESTING = /^@(?:media|supports|-moz-document|document|layer|container)\b/;

// Top-level items of `css`: { text } for a rule, a statement or a `/*! … */` comment.
function items(css, top) {
  const out = [];
  const n = css.length;
  let i = 0, start = 0, depth = 0, parens = 0;
  const push = (end) => {
    const text = css.slice(start, end).trim();
    if (text) out.push(text);
    start = end;
  };
  while (i < n) {
    const c = css[i];
    if (c === '/' && css[i + 1] === '*') {
      const end = css.indexOf('*/', i + 2);
      if (end < 0) throw new Error('unterminated comment');
      if (depth === 0) {
        push(i);
        if (top && css[i + 2] === '!') out.push(css.slice(i, end + 2)); // licence
        start = end + 2;
      }
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < n && css[i] !== c) i += css[i] === '\\' ? 2 : 1;
      i++;
      continue;
    }
    if (c === '(') parens++;
    else if (c === ')') parens--;
    else if (parens === 0) {
      if (c === '{') depth++;
      else if (c === '}') {
        depth--;
        if (depth === 0) push(i + 1);
      } else if (c === ';' && depth === 0) push(i + 1);
    }
    i++;
  }
  push(n);
  return out;
}

const stripComments = (s) => s.replace(/\/\*[\s\S]*?\*\//g, '');

// Nodes: { kind: 'group', prelude, children } | { kind: 'rule', selectors, body }
//        | { kind: 'raw', text } (statements, @font-face, @keyframes, licence comments).
function parse(css, top = true) {
  return items(css, top).map((text) => {
    if (text.startsWith('/*')) return { kind: 'raw', text };
    const brace = text.indexOf('{');
    if (brace < 0 || (text.startsWith('@') && !NESTING.test(text))) return { kind: 'raw', text: stripComments(text) };
    const prelude = stripComments(text.slice(0, brace)).trim();
    const inner = text.slice(brace + 1, -1);
    if (text.startsWith('@')) return { kind: 'group', prelude, children: parse(inner, false) };
    return { kind: 'rule', selectors: splitSelectors(prelude), body: stripComments(inner).trim() };
  }).filter((node) => !(node.kind === 'raw' && node.text === ''));
}

function splitSelectors(list) {
  const out = [];
  let depth = 0, start = 0, quote = null;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (quote) { if (c === '\\') i++; else if (c === quote) quote = null; continue; }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (c === ',' && depth === 0) { out.push(list.slice(start, i).trim()); start = i + 1; }
  }
  out.push(list.slice(start).trim());
  return out;
}

// A selector without its functional pseudo-classes: the classes it needs.
function withoutFunctions(sel) {
  let plain = sel;
  for (let prev = null; prev !== plain;) { prev = plain; plain = plain.replace(/:[\w-]+\([^()]*\)/g, ''); }
  return plain;
}

function serialize(nodes) {
  return nodes.map((node) => {
    if (node.kind === 'raw') return node.text;
    if (node.kind === 'rule') return `${node.selectors.join(',')}{${node.body}}`;
    return `${node.prelude}{${serialize(node.children)}}`;
  }).join('');
}

// url(…) of a file in directory `fromDir` (relative to the site's /dsfr/), rewritten for a file
// in `toDir`; with `toDir` null, the dsfr-relative path (to compare files of different places).
// `seen` collects the files pointed to.
function rebaseUrls(text, fromDir, toDir, seen) {
  return text.replace(/url\((\s*)(["']?)([^"')]+)\2(\s*)\)/g, (all, s1, q, url, s2) => {
    if (/^(?:data:|[a-z]+:|\/|#)/i.test(url)) return all;
    const target = path.posix.normalize(path.posix.join(fromDir, url));
    if (seen) seen.add(target);
    const rebased = toDir === null ? target : path.posix.relative(toDir, target);
    return `url(${s1}${q}${rebased}${q}${s2})`;
  });
}

// ---------------------------------------------------------------------------------------------
// The classes of the service.

function walk(dir, acc = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, acc);
    else if (SOURCE_EXT.has(path.extname(entry.name))) acc.push(p);
  }
  return acc;
}

const used = new Set(); // whole class names
const prefixes = new Set(); // fr-alert-- of fr-alert--{kind}
const where = new Map(); // class → first file:line, for the messages
for (const file of SOURCES.flatMap((d) => (fs.existsSync(d) ? walk(d) : []))) {
  const text = fs.readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?<![\w-])fr-[A-Za-z0-9_-]*/g)) {
    const word = m[0];
    // A format! placeholder right after: `{kind}`, `{}`, `{0}` (not CSS as `.fr-btn{color:…}`).
    const placeholder = /^\{(?:[A-Za-z_][\w.]*|\d*)\}/.test(text.slice(m.index + word.length, m.index + word.length + 40));
    const dynamic = word.endsWith('-') || placeholder;
    (dynamic ? prefixes : used).add(word);
    if (!where.has(word)) {
      const line = text.slice(0, m.index).split('\n').length;
      where.set(word, `${path.relative(ROOT, file)}:${line}`);
    }
  }
}
const isUsed = (cls) => used.has(cls) || [...prefixes].some((p) => cls.startsWith(p));

// ---------------------------------------------------------------------------------------------
// The DSFR's parts: core, scheme, components (in the order of component/main.scss, which is the
// order of dsfr.min.css), their dependencies.

const read = (rel) => fs.readFileSync(path.join(DIST, rel), 'utf8');
const version = JSON.parse(fs.readFileSync(path.join(DIST, '../package.json'), 'utf8')).version;

const componentDir = path.join(DIST, 'component');
const mainScss = path.join(DIST, '../src/dsfr/component/main.scss');
let components = fs.readdirSync(componentDir)
  .filter((c) => fs.existsSync(path.join(componentDir, c, `${c}.min.css`)));
if (fs.existsSync(mainScss)) {
  const order = [...fs.readFileSync(mainScss, 'utf8').matchAll(/@import '([\w-]+)\/main'/g)].map((m) => m[1]);
  components.sort((a, b) => (order.indexOf(a) + 1 || 1e9) - (order.indexOf(b) + 1 || 1e9));
}
const partFiles = { core: 'core/core.min.css', scheme: 'scheme/scheme.min.css' };
for (const c of components) partFiles[c] = `component/${c}/${c}.min.css`;

function dependencies(c) {
  const pkg = path.join(DIST, '../src/dsfr/component', c, '.package.yml');
  if (fs.existsSync(pkg)) {
    const m = fs.readFileSync(pkg, 'utf8').match(/^styles?:\n((?:[ \t]+- .*\n?)*)/m);
    if (m) return [...m[1].matchAll(/- ([\w-]+)/g)].map((x) => x[1]);
  }
  const readme = path.join(componentDir, c, 'README.md');
  if (fs.existsSync(readme)) {
    const m = fs.readFileSync(readme, 'utf8').match(/## Dépendances\s*```shell\n([\s\S]*?)```/);
    if (m) return [...m[1].matchAll(/└─ *([\w-]+)/g)].map((x) => x[1]);
  }
  return [];
}

// Each part's rules (context of nesting at-rules + text, urls made dsfr-relative), and who styles
// each class: `bare` — a selector that is the class alone —, `first` — the class in the first
// compound of a selector —, `any`.
const provenance = new Map(); // context ␞ rule text → Set(parts)
const bySelector = new Map(); // context ␞ body → Map(selector → Set(parts))
const styledBy = { bare: new Map(), first: new Map(), any: new Map() };
const add = (map, key, value) => (map.get(key) || map.set(key, new Set()).get(key)).add(value);
const ruleKey = (ctx, node, dir) => `${ctx}\u241e${rebaseUrls(serialize([node]), dir, null)}`;

function index(part, nodes, dir, ctx = '') {
  for (const node of nodes) {
    if (node.kind === 'group') { index(part, node.children, dir, `${ctx}${node.prelude}|`); continue; }
    add(provenance, ruleKey(ctx, node, dir), part);
    if (node.kind !== 'rule') continue;
    const body = `${ctx}\u241e${rebaseUrls(node.body, dir, null)}`;
    const selectors = bySelector.get(body) || bySelector.set(body, new Map()).get(body);
    for (const sel of node.selectors) {
      add(selectors, sel, part);
      const bare = sel.match(/^\.(fr-[\w-]+)(?::[\w-]+)*$/);
      if (bare) add(styledBy.bare, bare[1], part);
      const first = sel.split(/[\s>+~]/)[0];
      for (const m of first.matchAll(/\.(fr-[\w-]+)/g)) add(styledBy.first, m[1], part);
      const classes = [...withoutFunctions(sel).matchAll(/\.(fr-[\w-]+)/g)].map((m) => m[1]);
      for (const cls of classes) (styledBy.any.get(cls) || styledBy.any.set(cls, []).get(cls)).push({ part, classes });
    }
  }
}
for (const [part, rel] of Object.entries(partFiles)) index(part, parse(read(rel)), path.posix.dirname(rel));

// Components used: those styling the classes of the sources, then their dependencies.
const included = new Set(['core', 'scheme']);
// A class styled only in the context of others (`.fr-search-bar .fr-input--error`) brings the
// parts whose selectors can match: all their classes are used.
const inContext = (cls) => {
  const parts = new Set((styledBy.any.get(cls) || []).filter((x) => x.classes.every(isUsed)).map((x) => x.part));
  return parts.size ? parts : undefined;
};
const owners = (cls) => styledBy.bare.get(cls) || styledBy.first.get(cls) || inContext(cls)
  || styledBy.bare.get(cls.replace(/(__|--).*$/, ''));
for (const cls of used) for (const part of owners(cls) || []) included.add(part);
for (const prefix of prefixes) {
  for (const [cls, parts] of styledBy.bare) if (cls.startsWith(prefix)) parts.forEach((p) => included.add(p));
  for (const part of owners(prefix.replace(/-+$/, '')) || []) included.add(part);
}
for (let grew = true; grew;) {
  grew = false;
  for (const c of [...included]) {
    for (const dep of c in partFiles && c !== 'core' && c !== 'scheme' ? dependencies(c) : []) {
      if (!(dep in partFiles)) continue; // legacy, analytics…: no CSS of their own here
      if (!included.has(dep)) { included.add(dep); grew = true; }
    }
  }
}

// Spacing and grid column utilities, kept one by one; a typo there is an error, as for icons.
const UTILITY = /^fr-(?:[mp][trblxy]?-[a-z0-9-]+|col(?:-[a-z0-9-]+)?)$/;
const utilityNames = new Set([...styledBy.any.keys(), ...styledBy.first.keys()].filter((c) => UTILITY.test(c)));
const errors = [];
for (const cls of used) {
  if (UTILITY.test(cls) && !utilityNames.has(cls)) errors.push(`${cls} (${where.get(cls)}) n'existe pas dans le DSFR ${version}`);
}

// A selector is dead when it needs a class the sources never write (not inside :not()/:is()/…):
// a variant (`fr-btn--tertiary-no-outline`), a size, a part of a used component the service does
// not show, or a state class the DSFR's own JavaScript would set (it is not loaded). The rule
// goes with its last selector: 391 → 225 KB, 39 → 26 KB in brotli. What makes it safe: a
// selector that needs a class no element has matches nothing; and the Playwright suite checks,
// on every page it shows (each role, phone and desktop, forms with their error messages, the
// menu open), that every `fr-…` class an element has or gets is one of those listed below
// (generated/dsfr-classes.json).
function needsUnusedClass(sel) {
  for (const m of withoutFunctions(sel).matchAll(/\.(fr-[\w-]+)/g)) if (!isUsed(m[1])) return true;
  return false;
}

// Media queries of Internet Explorer only: every branch tests -ms-high-contrast.
const legacyOnly = (prelude) => /^@media\b/.test(prelude)
  && splitSelectors(prelude.replace(/^@media\s*/, '')).every((q) => /-ms-high-contrast/.test(q));

// ---------------------------------------------------------------------------------------------
// Marianne, in two files per weight and style (fontTools, from PyPI, when Python has it;
// setup.sh installs it).
//
// fonts/Marianne-<weight>.woff2 (same name, so dsfr.min.css keeps working) holds FONT_RANGES:
// what French texts and names use: ASCII, the letters of Latin-1 (é à ç ô ï ÿ, and the ñ ã ø å ß
// of names from neighbouring languages), Œ œ Ÿ, the few Latin-1 signs the service writes or a
// French text uses (« » § © ° ² ³ — « 125 cm³ » — · ×, the no-break and soft hyphens), the
// punctuation of French typography (– — ‘ ’ “ ” „ … • ‹ ›, the thin and narrow no-break spaces)
// and €. Everything else the font has (the other Latin-1 signs ¡ ¤ ¥ ¾ ±…, Latin Extended-A and
// -B beyond Œ œ Ÿ: ł ş ă ő…, IPA letters of African names, combining accents of names typed
// decomposed, † ‰ and the other spaces of general punctuation, arrows, maths, super- and
// subscripts, №, Vietnamese, ẞ…) goes to fonts/Marianne-<weight>.ext.woff2, which
// permis-dsfr.min.css declares with a unicode-range: a browser fetches it only for a page that
// shows one of its characters (a candidate named Łukasz). No text of the service uses one
// (checked on app/src and the sheets' `content:`, which hold only the no-break space);
// 22.8 → 14.0 KB per weight, three weights on every first visit.
// The TrueType hinting goes (half of each file: 40 → 21 KB;
// phones and macOS ignore it, Windows draws the letters a little softer), the OpenType features
// browsers apply by
// themselves (fontTools' default list: kerning, marks, ligatures, contextual alternates, locl…)
// plus tnum (Chromium draws list numbers with tabular figures) and sups (without it ¹ ² ³ are
// drawn a pixel off) stay; those no CSS asks for (ss01-ss06, onum, case, ordn…) go. Checked
// (with hinting): the service's texts render pixel for pixel as with the whole font. Redone when the DSFR, the ranges
// or this code change, or the files are not those it made (the stamp generated/dsfr-polices.json
// says what was done, and the size of each file made).

const FONT_RANGES = 'U+0020-007E,U+00A0,U+00A7,U+00A9,U+00AB,U+00AD,U+00B0,U+00B2-00B3,U+00B7,'
  + 'U+00BB,U+00C0-00FF,U+0152-0153,U+0178,U+2009,U+2010-2011,U+2013-2014,U+2018-2019,U+201C-201E,'
  + 'U+2022,U+2026,U+202F,U+2039-203A,U+20AC,U+FEFF';
const FONT_FILES = /^Marianne-.*\.woff2$/;
const FONT_CODE = 6; // bump when the subsetting below changes
const stampFile = path.join(ROOT, 'generated/dsfr-polices.json');

const SUBSET_PY = `
import json, sys
from fontTools import subset
from fontTools.ttLib import TTFont
src, out, ranges, names = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
spans = []
for r in ranges.split(','):
    a, _, b = r[2:].partition('-')
    spans.append((int(a, 16), int(b or a, 16)))
inside = lambda c: any(a <= c <= b for a, b in spans)
def ranges_of(cps):
    out, start, prev = [], None, None
    for c in sorted(cps) + [None]:
        if start is not None and (c is None or c != prev + 1):
            out.append('U+%04X' % start + ('-%04X' % prev if prev != start else ''))
            start = None
        if c is not None and start is None:
            start = c
        prev = c
    return ','.join(out)
result = {}
for name in names:
    cmap = TTFont(src + '/' + name).getBestCmap()
    main = [c for c in cmap if inside(c)]
    ext = [c for c in cmap if not inside(c)]
    info = {}
    for cps, file in ((main, name), (ext, name[:-len('.woff2')] + '.ext.woff2')):
        if not cps:
            continue
        font = TTFont(src + '/' + name, recalcTimestamp=False)  # the same bytes each time
        options = subset.Options()
        options.flavor = 'woff2'
        options.layout_features = options.layout_features + ['tnum', 'sups']
        options.hinting = False
        subsetter = subset.Subsetter(options=options)
        subsetter.populate(unicodes=cps)
        subsetter.subset(font)
        font.flavor = 'woff2'
        font.save(out + '/' + file)
        if file != name:
            info = {'ext': file, 'range': ranges_of(ext)}
    result[name] = info
print(json.dumps(result))
`;

function subsetFonts() {
  const src = path.join(DIST, 'fonts');
  const dst = path.join(OUT, 'fonts');
  if (!fs.existsSync(src) || !fs.existsSync(dst)) return { fonts: {} };
  const names = fs.readdirSync(src).filter((f) => FONT_FILES.test(f)).sort();
  const want = { version, code: FONT_CODE, ranges: FONT_RANGES, names };
  const sizes = (files) => Object.fromEntries(files.map((f) => {
    const p = path.join(dst, f);
    return [f, fs.existsSync(p) ? fs.statSync(p).size : null];
  }));
  const made = (fonts) => Object.entries(fonts).flatMap(([n, info]) => (info.ext ? [n, info.ext] : [n]));
  try {
    const stamp = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    const same = ['version', 'code', 'ranges', 'names'].every((k) => JSON.stringify(stamp[k]) === JSON.stringify(want[k]));
    if (same && JSON.stringify(sizes(made(stamp.fonts))) === JSON.stringify(stamp.sizes)) return { ...stamp, done: false };
  } catch { /* no stamp yet */ }
  const run = require('child_process').spawnSync('python3',
    ['-c', SUBSET_PY, src, dst, FONT_RANGES, JSON.stringify(names)], { encoding: 'utf8' });
  if (run.status !== 0) {
    // No fontTools (offline machine): the fonts as the DSFR ships them.
    for (const n of names) fs.copyFileSync(path.join(src, n), path.join(dst, n));
    for (const f of fs.readdirSync(dst)) if (f.endsWith('.ext.woff2')) fs.rmSync(path.join(dst, f));
    fs.rmSync(stampFile, { force: true });
    const why = (run.stderr || String(run.error)).trim().split('\n').pop();
    console.error(`dsfr-subset: polices laissées entières (fontTools : ${why})`);
    return { fonts: {} };
  }
  const fonts = JSON.parse(run.stdout);
  const stamp = { ...want, fonts, sizes: sizes(made(fonts)) };
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, `${JSON.stringify(stamp, null, 1)}\n`);
  return { ...stamp, done: true };
}
const fontSubset = subsetFonts();

// ---------------------------------------------------------------------------------------------
// permis-dsfr.min.css

const urls = new Set();
let unattributed = 0;
function keepSome(parts) { return [...parts].some((p) => included.has(p)); }

function filter(nodes, ctx = '') {
  const out = [];
  for (const node of nodes) {
    if (node.kind === 'group') {
      if (legacyOnly(node.prelude)) continue;
      const children = filter(node.children, `${ctx}${node.prelude}|`);
      if (children.length) out.push({ ...node, children });
      continue;
    }
    if (node.kind === 'raw' && /^(?:\/\*|@charset)/.test(node.text)) { out.push(node); continue; }
    const parts = provenance.get(ruleKey(ctx, node, '.'));
    if (node.kind === 'raw') {
      if (!parts) unattributed++;
      if (parts && !keepSome(parts)) continue;
      if (/^@font-face\b/i.test(node.text)) {
        const text = fontFace(node.text);
        if (text) out.push({ kind: 'raw', text });
        continue;
      }
      out.push(node);
      continue;
    }
    let selectors = node.selectors;
    if (parts) {
      if (!keepSome(parts)) continue;
    } else {
      // Rules merged by the minifier across parts: sorted out selector by selector.
      const known = bySelector.get(`${ctx}\u241e${rebaseUrls(node.body, '.', null)}`);
      // A selector found only in parts left out goes; any other stays.
      if (!known || selectors.some((s) => !known.has(s))) unattributed++;
      selectors = selectors.filter((s) => !known || !known.has(s) || keepSome(known.get(s)));
    }
    selectors = selectors.filter((s) => !needsUnusedClass(s));
    if (selectors.length) out.push({ kind: 'rule', selectors, body: node.body });
  }
  return out;
}

// An @font-face keeps the sources whose files the site has.
function fontFace(text) {
  const m = text.match(/src:([^;}]*)/);
  if (!m) return text;
  const kept = splitSelectors(m[1]).filter((src) => {
    const u = src.match(/url\((["']?)([^"')]+)\1\)/);
    return !u || /^(?:data:|[a-z]+:)/i.test(u[2]) || fs.existsSync(path.join(OUT, u[2]));
  });
  if (!kept.some((src) => /url\(/.test(src))) return null;
  let face = text.replace(m[0], `src:${kept.join(',')}`);
  // A subset Marianne: its ranges, and a second face for the rest of its characters.
  const woff2 = kept.map((src) => src.match(/url\((["']?)fonts\/([^"')]+\.woff2)\1\)/)).find(Boolean);
  const subset = woff2 && fontSubset.fonts[woff2[2]];
  if (subset) {
    face = face.replace(/}$/, `;unicode-range:${fontSubset.ranges}}`);
    if (subset.ext) {
      face += face.replace(/src:[^;}]*/, `src:url(fonts/${subset.ext}) format("woff2")`)
        .replace(/unicode-range:[^;}]*/, `unicode-range:${subset.range}`);
    }
  }
  return face;
}

const bundle = parse(read('dsfr.min.css'));
const dsfrCss = serialize(filter(bundle));
rebaseUrls(dsfrCss, '.', null, urls);

// ---------------------------------------------------------------------------------------------
// permis-icons.min.css

const ICON = /\.(fr-(?:icon|fi)-[\w-]+?)(?=:|$|[\s.,>+~[])/;
const iconRel = 'utility/icons/icons.min.css';
const iconNodes = parse(read(iconRel));
const iconNames = new Set();
(function collect(nodes) {
  for (const node of nodes) {
    if (node.kind === 'group') collect(node.children);
    else if (node.kind === 'rule') for (const s of node.selectors) { const m = s.match(ICON); if (m) iconNames.add(m[1]); }
  }
})(iconNodes);
for (const node of bundle) if (node.kind === 'rule') for (const s of node.selectors) { const m = s.match(ICON); if (m) iconNames.add(m[1]); }

const usedIcons = [...used].filter((c) => /^fr-(?:icon|fi)-/.test(c)).sort();
for (const icon of usedIcons) {
  if (!iconNames.has(icon)) errors.push(`l'icône ${icon} (${where.get(icon)}) n'existe pas dans le DSFR ${version}`);
}
for (const prefix of prefixes) {
  if (/^fr-(?:icon|fi)-/.test(prefix)) {
    errors.push(`classe d'icône construite (${prefix}… en ${where.get(prefix)}) : écrivez le nom entier de chaque icône dans le code`);
  }
}

function filterIcons(nodes) {
  const out = [];
  for (const node of nodes) {
    if (node.kind === 'group') {
      if (legacyOnly(node.prelude)) continue;
      const children = filterIcons(node.children);
      if (children.length) out.push({ ...node, children });
    } else if (node.kind === 'rule') {
      const selectors = node.selectors.filter((s) => { const m = s.match(ICON); return !m || isUsed(m[1]); });
      if (selectors.length) out.push({ ...node, selectors, body: rebaseUrls(node.body, path.posix.dirname(iconRel), '.') });
    } else if (node.text.startsWith('/*')) out.push(node);
  }
  return out;
}
const iconCss = serialize(filterIcons(iconNodes));
rebaseUrls(iconCss, '.', null, urls);

for (const url of urls) if (!fs.existsSync(path.join(OUT, url))) errors.push(`url(${url}) : fichier absent de ${path.relative(ROOT, OUT) || OUT}`);

if (errors.length) fail(errors.join('\n  '));

// ---------------------------------------------------------------------------------------------

// Each url() of a file of the site carries the start of the file's SHA-256 (`?v=`): the server
// lets browsers keep such addresses a year (`immutable`), and a changed file gets a new one.
const crypto = require('crypto');
const versionedUrls = (css) => css.replace(/url\((\s*)(['"]?)([^'")]+)\2(\s*)\)/g, (all, s1, q, url, s2) => {
  if (/^(data:|https?:|\/\/|#)/.test(url)) return all;
  const [file, hash] = url.split(/([?#].*)/);
  const p = path.join(OUT, file);
  if (!fs.existsSync(p)) return all;
  const v = crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex').slice(0, 12);
  return `url(${s1}${q}${file}?v=${v}${hash && hash.startsWith('#') ? hash : ''}${q}${s2})`;
});

// The banner after @charset, which must come first.
const withBanner = (css) => css.replace(/^(@charset "[^"]*";)?/,
  `$1/* permis: subset of DSFR ${version} written by scripts/dsfr-subset.js, do not edit */\n`);
fs.writeFileSync(path.join(OUT, 'permis-dsfr.min.css'), `${withBanner(versionedUrls(dsfrCss))}\n`);
fs.writeFileSync(path.join(OUT, 'permis-icons.min.css'), `${withBanner(versionedUrls(iconCss))}\n`);
// What the sheets were cut for: the Playwright suite checks that every `fr-…` class its pages
// show is one of these (end2end/tests/helpers.ts), i.e. that no class reaches a page by a way
// this scan misses and loses its rules.
const classesFile = path.join(ROOT, 'generated/dsfr-classes.json');
fs.mkdirSync(path.dirname(classesFile), { recursive: true });
fs.writeFileSync(classesFile, `${JSON.stringify({ used: [...used].sort(), prefixes: [...prefixes].sort() }, null, 1)}\n`);

const ko = (s) => `${Math.round(Buffer.byteLength(s) / 1024)} Ko`;
const parts = Object.keys(partFiles).filter((p) => included.has(p));
console.log(`dsfr-subset: permis-dsfr.min.css ${ko(dsfrCss)} (dsfr.min.css ${ko(read('dsfr.min.css'))}) : `
  + `${parts.join(', ')}${unattributed ? ` (+${unattributed} règles non attribuées, gardées)` : ''} ; `
  + `permis-icons.min.css ${ko(iconCss)} (icons.min.css ${ko(read(iconRel))}) : ${usedIcons.length} icônes`
  + (Object.keys(fontSubset.fonts).length
    ? ` ; polices : ${Object.keys(fontSubset.fonts).length} Marianne réduites${fontSubset.done ? ' (refaites)' : ''}` : ''));
