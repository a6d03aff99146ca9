import { test as base, expect, Page, Request } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';

export const demo = {
  ecole: { identifiant: 'ecole.gare', password: 'vitesse limitee a 50' },
  usager: { identifiant: 'pmartin', password: 'tartine du dimanche' },
  agent: { identifiant: 'agent.ctn', password: 'centre instruction nantes' },
  admin: { identifiant: 'admin', password: 'chef de bureau 2026' },
};

/** Waits until the WASM has hydrated the page (the app marks <html> when done). */
export async function hydrated(page: Page) {
  await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1);
  await settled(page);
}

/**
 * Waits until no site file (`/pkg/`) is in flight. After a navigation in the browser (a login,
 * a link), the page of a lazy route fetches its WASM chunk while <html> is still marked from
 * the page before: leaving before the chunk arrives (a `goto`) aborts it, and the router's
 * loader panics in the page being left.
 */
export async function settled(page: Page) {
  const loading = assetsInFlight.get(page);
  if (loading) {
    await expect.poll(() => loading.size, { message: 'WASM or JS still loading' }).toBe(0);
  }
}

/** The site's files (`/pkg/`) each page is fetching. */
const assetsInFlight = new WeakMap<Page, Set<Request>>();

/**
 * The `fr-…` classes the DSFR sheet was cut for (`scripts/dsfr-subset.js` keeps only the rules
 * whose classes the sources write, and lists them in generated/dsfr-classes.json): whole names,
 * and the beginnings of names completed at run time (`fr-alert--{kind}`).
 */
const cutFor: { used: Set<string>; prefixes: string[] } = (() => {
  const file = path.join(__dirname, '../../generated/dsfr-classes.json');
  const list = JSON.parse(fs.readFileSync(file, 'utf8'));
  return { used: new Set(list.used), prefixes: list.prefixes };
})();

/** In each page: every `fr-…` class an element has, or gets, reported once per document. */
const WATCH_CLASSES = `(() => {
  const seen = new Set();
  const note = (el) => {
    for (const c of el.classList || []) {
      if (c.startsWith('fr-') && !seen.has(c)) { seen.add(c); window.__permisClass(c); }
    }
  };
  const scan = (node) => {
    if (node.nodeType !== 1) return;
    note(node);
    node.querySelectorAll('[class]').forEach(note);
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes') note(r.target);
      else r.addedNodes.forEach(scan);
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
})();`;

/**
 * Every test's page, with its site files in flight tracked (see `hydrated`), and the DSFR
 * classes it showed checked against those the sheet was cut for: a class the scan of the
 * sources missed would show unstyled, so the test fails and names it.
 */
export const test = base.extend<{ trackAssets: void; dsfrClasses: void }>({
  dsfrClasses: [
    async ({ page }, use) => {
      const shown = new Map<string, string>();
      await page.exposeFunction('__permisClass', (c: string) => {
        if (!shown.has(c)) shown.set(c, new URL(page.url()).pathname);
      });
      await page.addInitScript(WATCH_CLASSES);
      await use();
      const missed = [...shown]
        .filter(([c]) => !cutFor.used.has(c) && !cutFor.prefixes.some((p) => c.startsWith(p)))
        .map(([c, where]) => `${c} (${where})`);
      expect(missed, 'DSFR classes shown but unknown to scripts/dsfr-subset.js (their rules were cut)').toEqual([]);
    },
    { auto: true },
  ],
  trackAssets: [
    async ({ page }, use) => {
      const loading = new Set<Request>();
      assetsInFlight.set(page, loading);
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/pkg/')) loading.add(r);
      });
      const done = (r: Request) => loading.delete(r);
      page.on('requestfinished', done);
      page.on('requestfailed', done);
      await use();
    },
    { auto: true },
  ],
});

/** The title of each page seen so far, and which page (path with its ids, and tab) had it. */
const titles = new Map<string, string>();

/**
 * Every page's title is its own (RGAA 8.6): two different pages never share one. A page is its
 * path with ids replaced, plus its tab (« Mon espace » tabs are pages of their own).
 */
export async function expectOwnTitle(page: Page) {
  // Waits for it: a page's title is written when the page is drawn.
  // (Read and checked at once: a client re-render can empty it for a moment.)
  let title = '';
  await expect
    .poll(async () => (title = (await page.title()).trim()), { message: `${page.url()} has no title` })
    .not.toBe('');
  const url = new URL(page.url());
  const onglet = url.searchParams.get('onglet');
  // Ids and one-time tokens (activation, verification) name the same page.
  const path = url.pathname
    .split('/')
    .map((part) => (/^[A-Za-z0-9_-]{16,}$/.test(part) ? 'T' : part.replace(/\d+/g, 'N')))
    .join('/');
  const key = path + (onglet ? `?onglet=${onglet}` : '');
  const seen = titles.get(title);
  if (!title.startsWith('Page non trouvée')) {
    expect(seen ?? key, `« ${title} » is the title of ${seen} and of ${key}`).toBe(key);
  }
  titles.set(title, key);
}

/** axe-core finds no violation on the current page (WCAG 2.1 A/AA rules, as RGAA). */
export async function expectAccessible(page: Page) {
  await expectOwnTitle(page);
  let summary: string[] = [];
  // A client re-render can empty the title for a moment (it is written again when the page is
  // drawn): axe is run again when its only complaint about the title came from such a moment.
  for (let attempt = 0; attempt < 3; attempt++) {
    const results = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze();
    summary = results.violations.map(
      (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
    const momentary = results.violations.some((v) => v.id === 'document-title');
    if (!momentary) break;
    await expectOwnTitle(page);
  }
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
  await expectNoSidewaysScroll(page);
}

/**
 * The page fits a 375 px phone and a 320 px screen (the RGAA reflow criterion): nothing is
 * wider than the viewport, so nothing needs scrolling sideways. Every page checked by
 * `expectAccessible` is checked here too; the viewport is put back afterwards.
 */
export async function expectNoSidewaysScroll(page: Page) {
  const original = page.viewportSize();
  for (const width of [375, 320]) {
    await page.setViewportSize({ width, height: 740 });
    const found = await page.evaluate(() => {
      const viewport = document.documentElement.clientWidth;
      // What sticks out of the page (content scrolling inside its own box, like a wide table
      // in its container, does not widen the page).
      const clipped = (el: Element) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX)) return true;
        }
        return false;
      };
      const wide = Array.from(document.querySelectorAll('body *'))
        .map((el) => ({ el, right: el.getBoundingClientRect().right, width: el.getBoundingClientRect().width }))
        .filter((x) => x.right > viewport + 1)
        .sort((a, b) => b.right - a.right);
      const outside = wide.filter((x) => !clipped(x.el));
      const offenders = (outside.length ? outside : wide)
        .slice(0, 12)
        .map(({ el, right }) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${String(el.className).split(' ').join('.')} (${Math.round(right)} px)`);
      // Which element makes the page wide: hide each child in turn, follow the one that does.
      if (document.documentElement.scrollWidth > viewport) {
        let node: Element = document.body;
        const path: string[] = [];
        for (let depth = 0; depth < 30; depth++) {
          let culprit: Element | null = null;
          for (const child of Array.from(node.children) as HTMLElement[]) {
            const before = child.style.display;
            child.style.display = 'none';
            const fits = document.documentElement.scrollWidth <= viewport;
            child.style.display = before;
            if (fits) {
              culprit = child;
              break;
            }
          }
          if (!culprit) break;
          path.push(`${culprit.tagName.toLowerCase()}${culprit.id ? '#' + culprit.id : ''}.${String(culprit.className).split(' ').join('.')}`);
          node = culprit;
        }
        offenders.push(`made wide by: ${path.join(' > ')}`);
      }
      offenders.push(`scrollX=${window.scrollX} clientWidth=${viewport} innerWidth=${window.innerWidth} body=${document.body.scrollWidth}`);
      return { scroll: document.documentElement.scrollWidth, viewport, offenders };
    });
    if (width === 375) {
      // Every page checked is kept as a 375 px screenshot, to be looked at (test-results/ecrans-375).
      const name = new URL(page.url()).pathname.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'accueil';
      await page.screenshot({ path: `test-results/ecrans-375/${name}.png`, fullPage: true });
    }
    if (found.scroll > found.viewport) {
      await page.screenshot({ path: `test-results/trop-large-${width}.png`, fullPage: true });
    }
    expect(
      found.scroll,
      `${page.url()} at ${width} px is ${found.scroll} px wide: ${found.offenders.join(', ')}`,
    ).toBeLessThanOrEqual(found.viewport);
  }
  if (original) await page.setViewportSize(original);
}

/** Collects console errors and failed requests (CSP refusals appear there). */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}

export async function login(page: Page, path: string, identifiant: string, password: string) {
  await page.goto(path);
  await hydrated(page);
  await page.getByLabel('Identifiant ou adresse électronique').fill(identifiant);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

/** A valid one-page PDF, built with a correct cross-reference table. */
export function onePagePdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

/** A 1×1 PNG. */
export const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

/** Chooses a file for a piece: the page sends it at once and lists it, without a reload. */
export async function deposit(page: Page, kind: string, name: string, mimeType: string, buffer: Buffer) {
  await hydrated(page);
  const section = page.locator(`#piece-${kind}`);
  await section.locator('input[type=file]').setInputFiles({ name, mimeType, buffer });
  await expect(section.getByRole('status')).toContainText('1 fichier déposé');
  await expect(section.locator('.permis-files')).toContainText(name);
}


/** Who a demande is for (an adult: only the identity and address pieces are needed). */
export interface Candidate {
  prenoms: string;
  nom: string;
  email: string;
  mobile: string;
  /** An e-photo code; without one, the paper photo-signature form. */
  ephoto?: string;
}

/**
 * From a logged-in school's « Mes demandes », files and validates a complete demande for
 * `c` (born in 1985, first licence B); returns its number.
 */
export async function fileDemande(page: Page, c: Candidate): Promise<string> {
  // Often called right after the login, whose landing page (the list) may still be loading.
  await settled(page);
  await page.goto('/ecole/demandes');
  await hydrated(page);
  await page.getByRole('button', { name: 'Nouvelle demande' }).click();
  await expect(page).toHaveURL(/\/etape\/1$/);
  await hydrated(page);
  const next = async (step: number) => {
    await page.getByRole('button', { name: 'Suivant' }).click();
    await expect(page).toHaveURL(new RegExp(`/etape/${step}$`));
    await hydrated(page);
  };
  await page.getByText('Première demande de permis de conduire (inscription)').click();
  await page.getByText('B — voiture', { exact: true }).click();
  await page.getByText('Formation traditionnelle').click();
  await next(2);
  await page.getByText('Femme', { exact: true }).click();
  await page.getByLabel('Nom de naissance').fill(c.nom);
  await page.getByLabel('Prénoms').fill(c.prenoms);
  await page.locator('#date_naissance').fill('1985-06-15');
  await page.getByLabel('Commune de naissance').fill('Melun');
  await page.getByLabel('Département de naissance', { exact: false }).selectOption('77');
  await next(3);
  await page.locator('#numero').fill('3');
  await page.locator('#nom_voie').fill('rue de la Paix');
  await page.locator('#code_postal').fill('77000');
  await page.locator('#commune').fill('Melun');
  await page.locator('#email').fill(c.email);
  await page.locator('#telephone').fill(c.mobile);
  await next(4);
  if (c.ephoto) {
    await page.getByText('Code e-photo (cabine ou photographe agréé)').click();
    await page.locator('#code_ephoto').fill(c.ephoto);
  } else {
    await page.getByText('Formulaire photo-signature envoyé par courrier').click();
  }
  await next(5);
  await deposit(page, 'identite', 'identite.pdf', 'application/pdf', onePagePdf());
  await deposit(page, 'domicile', 'domicile.pdf', 'application/pdf', onePagePdf());
  await hydrated(page);
  await next(6);
  await page.locator('label[for=attestation]').click();
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page).toHaveURL(/\/ecole\/demandes\?validee=/);
  const numero = new URL(page.url()).searchParams.get('validee');
  expect(numero).toMatch(/^75-\d{6}-\d{4}$/);
  // The list is a chunk of its own: the caller's next `goto` must not abort it.
  await hydrated(page);
  return numero as string;
}

/** The development mailbox, reloaded until a message for `recipient` containing `text` is there. */
export async function openMessage(page: Page, recipient: string, text: string) {
  await settled(page);
  await expect(async () => {
    await page.goto('/dev/boite-mail');
    await expect(
      page.locator('.permis-message').filter({ hasText: recipient }).filter({ hasText: text }).first(),
    ).toBeVisible({ timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  return page.locator('.permis-message').filter({ hasText: recipient }).filter({ hasText: text }).first();
}

/**
 * The candidate `c`, who has no account yet, opens the activation link of the school's email
 * and activates the account; ends on « Demande à valider », logged in.
 */
export async function activateFromEmail(page: Page, c: Candidate, motDePasse: string, reponse: string) {
  const email = await openMessage(page, c.email, 'Votre école de conduite');
  await email.getByRole('link', { name: /\/monespace\/activer\// }).click();
  await hydrated(page);
  await page.locator('#password').fill(motDePasse);
  await page.getByLabel('Confirmez le mot de passe').fill(motDePasse);
  await page.locator('#question').selectOption('surnom');
  await page.locator('#reponse').fill(reponse);
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await expect(page).toHaveURL(/\/monespace\/a-valider$/);
}

export async function logout(page: Page) {
  await hydrated(page);
  const button = page.getByRole('button', { name: 'Se déconnecter' });
  if (!(await button.first().isVisible())) {
    // On a phone, the header's links are in the menu.
    await page.getByRole('button', { name: 'Menu' }).click();
    await page.locator('#modal-menu').getByRole('button', { name: 'Se déconnecter' }).click();
  } else {
    await button.first().click();
  }
  await expect(page).toHaveURL(/deconnexion=1/);
  // The next step often navigates at once: leaving a page whose WASM is still loading aborts
  // the load, and the router's lazy loader panics in the console of the page being left.
  await hydrated(page);
}

/** The text of a downloaded PDF, as a reader extracts it (pdf.js, no rendering). */
export async function pdfText(path: string): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const data = new Uint8Array(require('fs').readFileSync(path));
  const doc = await pdfjs.getDocument({ data, useSystemFonts: false, isEvalSupported: false }).promise;
  let text = '';
  for (let n = 1; n <= doc.numPages; n++) {
    const page = await doc.getPage(n);
    const content = await page.getTextContent();
    text += content.items.map((i: any) => ('str' in i ? i.str : '')).join(' ') + '\n';
  }
  return text;
}
