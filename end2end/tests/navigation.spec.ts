import { expect } from '@playwright/test';
import { activateFromEmail, demo, fileDemande, hydrated, login, logout, watchConsole, test } from './helpers';

// A candidate on a slow phone taps a link before the page has its code: the page being
// hydrated stays the one the server wrote, and the link opens the page tapped, working.
const lea = {
  prenoms: 'Léa',
  nom: 'Fontaine',
  email: 'lea.fontaine@example.fr',
  mobile: '07 33 44 55 66',
};

test('a link tapped while the page still fetches its code opens that page, hydrated', async ({ page, browser }) => {
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  const numero = await fileDemande(page, lea);
  await logout(page);
  await activateFromEmail(page, lea, 'la mer est calme ce soir', 'Lili');
  await hydrated(page);

  // The same session in a browser that has none of the site's files yet.
  const context = await browser.newContext({ storageState: await page.context().storageState() });
  const phone = await context.newPage();
  const errors = watchConsole(phone);
  // The candidate's pages come in a chunk of their own: held until the link is tapped.
  let requested!: () => void;
  const asked = new Promise<void>((resolve) => (requested = resolve));
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  await phone.route(/\/pkg\/split___usager_route_view/, async (route) => {
    requested();
    await held;
    await route.continue();
  });
  await phone.goto('/monespace/a-valider');
  // The main module runs (the router follows links) and the page's chunk is on its way.
  await asked;
  const link = phone.getByRole('link', { name: `Permis de conduire — Pré-demande N° ${numero}` });
  const href = await link.getAttribute('href');
  await link.click();
  release();

  await expect(phone).toHaveURL(new RegExp(`${href}$`));
  await expect(phone.getByRole('heading', { level: 1 })).toContainText(numero);
  await expect(phone.locator('html[data-hydrated="true"]')).toHaveCount(1);
  // The page works: the attestation box enables « Valider ».
  await expect(phone.getByRole('button', { name: 'Valider' })).toBeDisabled();
  await phone.locator('label[for=attestation]').click();
  await expect(phone.getByRole('button', { name: 'Valider' })).toBeEnabled();
  expect(errors).toEqual([]);
  await context.close();
});
