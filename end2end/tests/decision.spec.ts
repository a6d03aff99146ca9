import { expect } from '@playwright/test';
import { activateFromEmail, demo, expectAccessible, fileDemande, hydrated, login, logout, openMessage, pdfText, watchConsole, test } from './helpers';

const nina = {
  prenoms: 'Nina',
  nom: 'Petit',
  email: 'nina.petit@example.fr',
  mobile: '07 11 22 33 44',
};
const password = 'la mer est calme ce matin';

test.describe.serial('the candidate decides', () => {
  test('a new candidate with an e-photo code validates, and downloads a justificatif naming the demande', async ({ page }) => {
    const errors = watchConsole(page);
    await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
    await expect(page).toHaveURL(/\/ecole\/demandes$/);
    const numero = await fileDemande(page, { ...nina, ephoto: 'DEMO2026EPHOTO00000002' });
    await logout(page);
    await activateFromEmail(page, nina, password, 'Ninou');

    await page.getByRole('link', { name: `Permis de conduire — Pré-demande N° ${numero}` }).click();
    await expect(page.getByRole('heading', { name: `Pré-demande N° ${numero} à vérifier` })).toBeVisible();
    await hydrated(page);
    await expect(page.getByText('nina.petit@example.fr')).toBeVisible();
    await expectAccessible(page);
    // « Valider » waits for the attestation.
    const valider = page.getByRole('button', { name: 'Valider' });
    await expect(valider).toBeDisabled();
    await page.locator('label[for=attestation]').click();
    await expect(valider).toBeEnabled();
    await valider.click();

    await expect(page.getByRole('heading', { name: 'Votre démarche est terminée' })).toBeVisible();
    await expectAccessible(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger le justificatif de dépôt (PDF)' }).click(),
    ]);
    const text = await pdfText(await download.path());
    expect(text).toContain(numero);
    expect(text).toContain('Nina');
    expect(text).toContain('Petit');
    expect(text).toContain('Justificatif de dépôt');
    // « Mon espace conducteur »: the tabs.
    await page.goto('/monespace');
    await hydrated(page);
    await page.getByRole('link', { name: 'Mes documents' }).click();
    await expect(page.getByRole('link', { name: `Justificatif de dépôt — demande N° ${numero} (PDF)` })).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Mes messages' }).click();
    await expect(page.getByText('Activez votre compte pour valider', { exact: false }).first()).toBeVisible();
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Mes données personnelles' }).click();
    await expect(page.getByText('npetit')).toBeVisible();
    await expectAccessible(page);
    expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
  });

  test('an existing candidate validates from « Mes démarches en cours » and downloads the photo-signature form', async ({ page }) => {
    await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
    await expect(page).toHaveURL(/\/ecole\/demandes$/);
    const numero = await fileDemande(page, nina);
    await logout(page);

    await login(page, '/connexion', 'npetit', password);
    await expect(page).toHaveURL(/\/monespace$/);
    const row = page.getByRole('row').filter({ hasText: numero });
    await row.getByLabel(`Action pour la demande N° ${numero}`).selectOption('valider');
    await row.getByRole('button', { name: /^OK/ }).click();
    await expect(page.getByRole('heading', { name: `Pré-demande N° ${numero} à vérifier` })).toBeVisible();
    await hydrated(page);
    await page.locator('label[for=attestation]').click();
    await page.getByRole('button', { name: 'Valider' }).click();

    await expect(page.getByRole('heading', { name: 'Dernières actions à réaliser' })).toBeVisible();
    await expect(page.getByText('encre noire', { exact: false })).toBeVisible();
    await expect(page.getByText(/avant le \d{2}\/\d{2}\/\d{4}/).first()).toBeVisible();
    await expectAccessible(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Télécharger le formulaire photo-signature (PDF)' }).click(),
    ]);
    expect(download.suggestedFilename()).toContain(numero);
    const text = await pdfText(await download.path());
    expect(text).toContain(numero);
    expect(text).toContain('Petit');
    expect(text).toContain('35 × 45 mm');
  });

  test.describe('on a 375 px wide phone', () => {
    test.use({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });

    test('an existing candidate refuses a second demande and the school sees it refused', async ({ page }) => {
      await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
      await expect(page).toHaveURL(/\/ecole\/demandes$/);
      const numero = await fileDemande(page, nina);
      await logout(page);

      await login(page, '/connexion', nina.email, password);
      await expect(page).toHaveURL(/\/monespace$/);
      // « Mes démarches en cours »: the row's action list, then « OK ».
      const row = page.getByRole('row').filter({ hasText: numero });
      await expect(row).toContainText('En attente de validation usager');
      await expectAccessible(page);
      await row.getByLabel(`Action pour la demande N° ${numero}`).selectOption('consulter');
      await row.getByRole('button', { name: /^OK/ }).click();
      await expect(page.getByRole('heading', { name: `Pré-demande N° ${numero} à vérifier` })).toBeVisible();
      await hydrated(page);
      // Nothing sticks out of the screen.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await page.getByRole('link', { name: 'Refuser' }).click();
      await expect(page.getByRole('heading', { name: `Refuser la demande N° ${numero} ?` })).toBeVisible();
      await expectAccessible(page);
      await page.getByLabel('Ce qui est inexact (facultatif)', { exact: false }).fill('Mon nom est Petit-Durand');
      await page.getByRole('button', { name: 'Confirmer le refus' }).click();
      await expect(page.getByRole('heading', { name: 'Vous avez refusé cette demande' })).toBeVisible();
      await expect(page.getByText('Mon nom est Petit-Durand', { exact: false })).toBeVisible();
      await expectAccessible(page);
      await logout(page);

      const mail = await openMessage(page, 'contact@autoecole-gare.example', `Demande n° ${numero} refusée`);
      await expect(mail).toContainText('Mon nom est Petit-Durand');
      await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
      await expect(page).toHaveURL(/\/ecole\/demandes$/);
      const schoolRow = page.getByRole('row').filter({ hasText: numero });
      await expect(schoolRow).toContainText("Refusée par l'usager");
      await expect(schoolRow).toContainText('Refusée par le candidat le');
      // The school opens it: the candidate's reason, and « Corriger et renvoyer ».
      await schoolRow.getByRole('link', { name: numero }).click();
      await expect(page.getByRole('heading', { name: /Refusée par le candidat le \d{2}\/\d{2}\/\d{4}/ })).toBeVisible();
      await expect(page.getByText('« Mon nom est Petit-Durand »', { exact: false })).toBeVisible();
      await hydrated(page);
      await expectAccessible(page);
      const refusedUrl = page.url();
      await page.getByRole('button', { name: 'Corriger et renvoyer' }).click();
      // A new demande (its own address), opened at its recap.
      await expect(page).not.toHaveURL(refusedUrl);
      await expect(page).toHaveURL(/\/etape\/6$/);
      await expect(page.getByText("Nouvelle demande reprise d'une demande refusée par le candidat.")).toBeVisible();
      // Everything came along (identity, contact, pieces): only the correction is left to make.
      await expect(page.getByText('La demande n\'est pas complète')).toHaveCount(0);
      await expect(page.getByText('nina.petit@example.fr')).toBeVisible();
      await hydrated(page);
      await expectAccessible(page);
    });
  });
});
