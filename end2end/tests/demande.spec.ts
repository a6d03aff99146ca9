import { expect, Page } from '@playwright/test';
import { demo, deposit, expectAccessible, hydrated, login, onePagePdf, tinyPng, watchConsole, test } from './helpers';

/** Presses Tab until the element with `id` has the focus (keyboard only). */
async function tabTo(page: Page, id: string) {
  for (let i = 0; i < 80; i++) {
    if ((await page.evaluate(() => document.activeElement?.id)) === id) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`#${id} never received the focus`);
}

function isoDaysAgo(years: number, extraDays: number): string {
  const d = new Date();
  d.setFullYear(d.getFullYear() - years);
  d.setDate(d.getDate() - extraDays);
  return d.toISOString().slice(0, 10);
}

async function next(page: Page, step: number) {
  await page.getByRole('button', { name: 'Suivant' }).click();
  await expect(page).toHaveURL(new RegExp(`/etape/${step}$`));
  await expect(page.getByText(`Étape ${step} sur 6`)).toBeVisible();
  await hydrated(page);
}

test('a school files a demande for a 17-year-old in AAC, fixes its mistakes and validates it', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  await page.getByRole('button', { name: 'Nouvelle demande' }).click();
  await expect(page).toHaveURL(/\/etape\/1$/);
  await expect(page.getByText('Étape 1 sur 6')).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);

  // Step 1 sent empty: messages on the fields, never the technical error.
  await page.getByRole('button', { name: 'Suivant' }).click();
  await expect(page.locator('#motif-messages')).not.toBeEmpty();
  await expect(page.getByText('erreur technique', { exact: false })).toHaveCount(0);
  await expect(page).toHaveURL(/\/etape\/1$/);
  await page.reload();
  await hydrated(page);

  // Step 1: the category rules answer as soon as the school ticks.
  await page.getByText('Première demande de permis de conduire (inscription)').click();
  await page.getByText('B — voiture', { exact: true }).click();
  await page.getByText('Apprentissage anticipé de la conduite (AAC)').click();
  await page.getByText('A2 — motocyclette de 35 kW au plus').click();
  await expect(page.locator('#categories-messages')).toContainText('ne concerne que la catégorie B');
  await page.getByText('A2 — motocyclette de 35 kW au plus').click();
  await expect(page.locator('#categories-messages')).toBeEmpty();
  await next(page, 2);
  await expectAccessible(page);

  // Step 2: two mistakes (a birth date in the future, no département for a birth in France).
  await page.getByText('Femme', { exact: true }).click();
  await page.getByLabel('Nom de naissance').fill('Martin');
  await page.getByLabel('Prénoms').fill('Léa Marie');
  await page.getByLabel('Date de naissance', { exact: false }).first().fill(isoDaysAgo(-1, 0));
  await page.getByLabel('Commune de naissance').fill('Melun');
  await page.getByRole('button', { name: 'Suivant' }).click();
  const summary = page.getByRole('alert');
  await expect(summary).toContainText('2 erreurs');
  await expect(page.locator('#date_naissance-messages')).toContainText('ne peut pas être dans le futur');
  await expect(page.locator('#departement_naissance-messages')).toContainText('indiquez le département');
  // What was typed is still there.
  await expect(page.getByLabel('Nom de naissance')).toHaveValue('Martin');
  await expectAccessible(page);
  // Fixing them: a 17-year-old, born in Seine-et-Marne; being a minor, the representative appears.
  await page.locator('#date_naissance').fill(isoDaysAgo(17, 30));
  // The label says when the field is required (not « facultatif » and then refused).
  await expect(page.locator('label[for="departement_naissance"]')).toHaveText('Département de naissance (obligatoire pour une naissance en France)');
  await page.getByLabel('Département de naissance', { exact: false }).selectOption('77');
  await expect(page.getByText("l'état civil de son représentant légal est demandé", { exact: false })).toBeVisible();
  await page.getByText('Mère', { exact: true }).click();
  await page.getByLabel('Nom du représentant légal').fill('Martin');
  await page.getByLabel('Prénoms du représentant légal').fill('Sophie');
  await page.getByLabel('Date de naissance du représentant légal', { exact: false }).fill('1980-05-02');
  await next(page, 3);
  await expectAccessible(page);

  // Step 3 with the keyboard alone.
  await tabTo(page, 'numero');
  await page.keyboard.type('12');
  await tabTo(page, 'nom_voie');
  await page.keyboard.type('rue des Lilas');
  await tabTo(page, 'code_postal');
  await page.keyboard.type('77000');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Melun');
  await tabTo(page, 'email');
  await page.keyboard.type('lea.martin@example.fr');
  await page.keyboard.press('Tab');
  await page.keyboard.type('06 12 34 56 78');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/etape\/4$/);
  await hydrated(page);
  await expectAccessible(page);

  // Step 4: an unknown code first, then a registered one.
  await page.getByText('Code e-photo (cabine ou photographe agréé)').click();
  await page.locator('#code_ephoto').fill('ZZZZ2026EPHOTO99999999');
  await page.getByRole('button', { name: 'Suivant' }).click();
  await expect(page.locator('#code_ephoto-messages')).toContainText('inconnu');
  await page.locator('#code_ephoto').fill('demo2026ephoto00000001');
  await next(page, 5);
  await expectAccessible(page);
  // Step 5: a file over 10 MB is refused by the page itself, before anything is sent.
  const identite = page.locator('#piece-identite');
  const sent: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/pieces/')) sent.push(r.url());
  });
  await identite.locator('input[type=file]').setInputFiles({
    name: 'scan-600dpi.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.alloc(11 * 1024 * 1024, 0x20),
  });
  await expect(page.locator('#fichier-identite-messages')).toContainText('« scan-600dpi.pdf » : Ce fichier dépasse 10 Mo');
  await expect(page.locator('#fichier-identite')).toHaveAttribute('aria-invalid', 'true');
  expect(sent).toEqual([]);
  // An executable renamed .pdf passes the page's check, and the server recognises it.
  await identite.locator('input[type=file]').setInputFiles({
    name: 'carte.pdf',
    mimeType: 'application/pdf',
    buffer: Buffer.from('MZ\x90\x00 This program cannot be run in DOS mode'),
  });
  await expect(page.locator('#fichier-identite-messages')).toContainText("« carte.pdf » : Ce fichier n'est ni un PDF, ni une image JPEG ou PNG");
  await expect(page.locator('#fichier-identite-messages')).not.toContainText('dépasse 10 Mo');
  await expectAccessible(page);
  // Recto and verso chosen at once: each has its progress bar, « Suivant » waits for them,
  // then both are listed without a page reload.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/pieces\/identite$/, async (route) => {
    await held;
    await route.continue();
  });
  const url = page.url();
  await identite.locator('input[type=file]').setInputFiles([
    { name: 'recto.pdf', mimeType: 'application/pdf', buffer: onePagePdf() },
    { name: 'verso.png', mimeType: 'image/png', buffer: tinyPng },
  ]);
  await expect(identite.getByRole('progressbar')).toHaveCount(2);
  await expect(identite.getByRole('progressbar', { name: /verso\.png — en attente/ })).toBeVisible();
  await expect(page.getByText('Envoi des fichiers en cours')).toBeVisible();
  await expect(page.getByRole('button', { name: /Suivant|Enregistrement/ })).toBeDisabled();
  release();
  await expect(identite.getByRole('status')).toContainText('2 fichiers déposés');
  await expect(identite.locator('.permis-files li')).toHaveCount(2);
  await expect(identite.locator('.fr-badge')).toContainText('2 pages sur 2');
  await expect(identite.getByRole('progressbar')).toHaveCount(0);
  await expect(page.locator('#fichier-identite-messages')).toBeEmpty();
  expect(page.url()).toBe(url);
  await page.unroute(/\/pieces\/identite$/);
  await deposit(page, 'domicile', 'facture.png', 'image/png', tinyPng);
  await expect(page.locator('#piece-domicile img')).toHaveAttribute('alt', 'Aperçu de facture.png');
  for (const kind of ['assr', 'jdc', 'identite_representant']) {
    await deposit(page, kind, `${kind}.pdf`, 'application/pdf', onePagePdf());
  }
  await hydrated(page);
  await expectAccessible(page);
  await next(page, 6);

  // Recap: « Valider » stays disabled until the attestation is ticked.
  await expect(page.getByRole('heading', { name: 'Relisez-vous !' })).toBeVisible();
  await expect(page.getByText('+33612345678')).toHaveCount(0);
  await expect(page.getByText('06 12 34 56 78')).toBeVisible();
  await expect(page.getByText('Préfecture de Melun (Seine-et-Marne)')).toBeVisible();
  await expectAccessible(page);
  const valider = page.getByRole('button', { name: 'Valider' });
  await expect(valider).toBeDisabled();
  await page.locator('label[for=attestation]').click();
  await expect(valider).toBeEnabled();
  await valider.click();

  await expect(page).toHaveURL(/\/ecole\/demandes\?validee=/);
  await expect(page.getByText(/Demande n° 75-\d{6}-\d{4} validée/)).toBeVisible();
  const row = page.getByRole('row').filter({ hasText: 'Martin' });
  await expect(row).toContainText('En attente de validation usager');
  await expect(row).toContainText('Léa Marie');
  await expectAccessible(page);
  // The refused steps answered 400 and the refused file 422 (the browser logs those); nothing
  // else went wrong.
  expect(errors.filter((e) => !e.includes('status of 400') && !e.includes('status of 422'))).toEqual([]);
});
