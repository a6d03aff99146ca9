import { test, expect } from '@playwright/test';
import { execFileSync } from 'child_process';
import { demo, expectAccessible, fileDemande, hydrated, login, logout, openMessage } from './helpers';

/** Runs the server's deadline jobs as of `days` from now, on the test server's database. */
function jumpDays(days: number): string {
  const at = new Date(Date.now() + days * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return execFileSync('../target/release/permis', ['jobs', '--at', at], {
    env: {
      ...process.env,
      DATABASE_URL: 'sqlite://../target/e2e/permis.db',
      PERMIS_STORAGE: '../target/e2e/files',
      PERMIS_COMMUNES: '../generated/codes-postaux.tsv',
      PERMIS_PUBLIC_URL: 'http://127.0.0.1:3100',
      RUST_LOG: 'warn',
    },
  }).toString();
}

test('a candidate who never activates: 8 days later the link says why the account is gone, the school sees the trace', async ({ page }) => {
  const oubli = { prenoms: 'Hugo', nom: 'Oubli', email: 'hugo.oubli@example.fr', mobile: '06 55 44 33 22' };
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  const numero = await fileDemande(page, oubli);
  await logout(page);
  const email = await openMessage(page, oubli.email, 'Votre école de conduite');
  const href = await email.getByRole('link', { name: /\/monespace\/activer\// }).getAttribute('href');

  expect(jumpDays(8)).toContain('1 compte(s) non activé(s) supprimé(s)');

  await page.goto(href as string);
  await expect(page.getByRole('heading', { name: 'Ce compte a été supprimé' })).toBeVisible();
  await expect(page.getByText("il n'avait pas été activé dans les 7 jours", { exact: false })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);

  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  const row = page.getByRole('row').filter({ hasText: numero });
  await expect(row).toContainText('Supprimée — compte non activé');
  await expect(row).not.toContainText('Oubli');
});
