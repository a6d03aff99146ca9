import { expect, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';

export const demo = {
  ecole: { identifiant: 'ecole.gare', password: 'vitesse limitee a 50' },
  usager: { identifiant: 'pmartin', password: 'tartine du dimanche' },
};

/** Waits until the WASM has hydrated the page (the app marks <html> when done). */
export async function hydrated(page: Page) {
  await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1);
}

/** axe-core finds no violation on the current page (WCAG 2.1 A/AA rules, as RGAA). */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
  );
  expect(summary, `axe violations on ${page.url()}`).toEqual([]);
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
