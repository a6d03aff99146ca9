import { expect } from '@playwright/test';
import { demo, expectAccessible, hydrated, login, test } from './helpers';

test('a step keeps what was typed when the school leaves it, and a draft can be deleted', async ({ page }) => {
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Nouvelle demande' }).click();
  await expect(page).toHaveURL(/\/etape\/1$/);
  await page.goto(page.url().replace(/\/etape\/1$/, '/etape/2'));
  await hydrated(page);
  await expect(page.getByText('Ce que vous saisissez est enregistré automatiquement.')).toBeVisible();
  await page.getByLabel('Nom de naissance').pressSequentially('Durand-Lefèvre');
  await expect(page.getByText(/^Enregistré à \d{2}:\d{2}\.$/)).toBeVisible();
  await expectAccessible(page);

  // Typing, then closing the tab at once: the browser asks first.
  await page.getByLabel('Prénoms').pressSequentially('Zoé');
  const asked = new Promise<string>((resolve) => {
    page.once('dialog', async (d) => {
      resolve(d.type());
      await d.dismiss();
    });
  });
  await page.close({ runBeforeUnload: true });
  expect(await asked).toBe('beforeunload');
  await expect(page.getByLabel('Prénoms')).toHaveValue('Zoé');

  // Typing, then leaving by a link of the app: what was typed is saved on the way out.
  await page.getByLabel('Prénoms').pressSequentially(' Anne');
  await page.getByRole('link', { name: 'Retour à mes demandes' }).click();
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Mes demandes' })).toBeVisible();
  const draftUrl = await page.getByRole('link', { name: 'Brouillon', exact: true }).first().getAttribute('href');
  expect(draftUrl).toMatch(/\/etape\/1$/);
  // Another day, another tab: the typing is there, and said to be unvalidated.
  await expect
    .poll(async () => {
      await page.goto(draftUrl!.replace(/\/etape\/1$/, '/etape/2'));
      return page.getByLabel('Prénoms').inputValue();
    })
    .toBe('Zoé Anne');
  await expect(page.getByLabel('Nom de naissance')).toHaveValue('Durand-Lefèvre');
  await expect(page.getByText(/Saisie non validée reprise \(enregistrée à \d{2}:\d{2}\)/)).toBeVisible();

  // « Supprimer », confirmed: the draft is gone.
  await page.goto('/ecole/demandes');
  await hydrated(page);
  const before = await page.getByRole('link', { name: 'Brouillon', exact: true }).count();
  await page.getByRole('link', { name: /^Supprimer le brouillon/ }).first().click();
  await expect(page.getByRole('heading', { name: /^Supprimer (ce brouillon|le brouillon de .*) \?$/ })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Supprimer définitivement' }).click();
  await expect(page.getByText('Le brouillon et ses pièces ont été supprimés.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Brouillon', exact: true })).toHaveCount(before - 1);
  await expectAccessible(page);
});
