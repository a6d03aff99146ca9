import { expect, Page } from '@playwright/test';
import { demo, expectAccessible, fileDemande, hydrated, login, logout, openMessage, watchConsole, test } from './helpers';

// FranceConnect against the project's test provider (scripts/franceconnect-demo.mjs, started by
// playwright.config.ts): its login page lists demo identities, password « 123 ».

/** At the provider: logs in as the demo identity `login`; back on the service afterwards. */
async function atProvider(page: Page, login: string) {
  await expect(page.getByRole('heading', { name: "Fournisseur d'identité de démonstration" })).toBeVisible();
  await page.getByLabel('Identifiant').fill(login);
  await page.getByLabel('Mot de passe').fill('123');
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

// Julie Anne DURAND, born 1985-06-15 in Melun: the school types « Julie » only.
const julie = {
  prenoms: 'Julie',
  nom: 'Durand',
  email: 'julie.durand@exemple.fr',
  mobile: '06 11 22 33 44',
};

test.describe.serial('FranceConnect', () => {
  test('a new candidate activates with FranceConnect and sees where the school mistyped', async ({ page }) => {
    const errors = watchConsole(page);
    await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
    await expect(page).toHaveURL(/\/ecole\/demandes$/);
    const numero = await fileDemande(page, julie);
    await logout(page);

    const email = await openMessage(page, julie.email, 'Votre école de conduite');
    await email.getByRole('link', { name: /\/monespace\/activer\// }).click();
    await expect(page.getByRole('heading', { name: 'Vous y êtes presque !' })).toBeVisible();
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Activer avec FranceConnect' })).toBeVisible();
    await expectAccessible(page);

    // No password, no secret question: FranceConnect, then the demande to validate.
    await page.getByRole('button', { name: 'S’identifier avec FranceConnect' }).click();
    await atProvider(page, 'julie');
    await expect(page).toHaveURL(/\/monespace\/a-valider$/);
    await hydrated(page);
    await page.getByRole('link', { name: `Permis de conduire — Pré-demande N° ${numero}` }).click();
    await hydrated(page);

    // The prénoms differ from the certified identity: shown with both values, no « Valider ».
    await expect(page.getByText('Votre école a saisi « Julie » ; votre identité certifiée indique « Julie Anne ».')).toBeVisible();
    await expect(page.getByText('Identité certifiée : « Julie Anne »')).toBeVisible();
    await expect(page.getByRole('button', { name: 'Valider' })).toHaveCount(0);
    await expectAccessible(page);

    // « Refuser — l'école corrigera »: the reason is written for the candidate.
    await page.getByRole('link', { name: 'Refuser — l\'école corrigera' }).click();
    await hydrated(page);
    await expect(page.locator('#motif')).toHaveValue(/Prénoms : « Julie » au lieu de « Julie Anne »/);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Confirmer le refus' }).click();
    await expect(page.getByRole('heading', { name: 'Vous avez refusé cette demande' })).toBeVisible();
    // The page's chunks loaded before leaving it (a fetch cut short by `goto` is a console error).
    await hydrated(page);

    // Activated without a password: Mon espace offers to choose one (to log in without
    // FranceConnect), with a secret question.
    await page.goto('/monespace');
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Votre compte n’a pas de mot de passe' })).toBeVisible();
    await page.getByRole('link', { name: 'Choisir un mot de passe' }).click();
    await expect(page.getByRole('heading', { name: 'Choisir un mot de passe', level: 1 })).toBeVisible();
    await hydrated(page);
    await expectAccessible(page);
    await page.locator('#password').fill('le soleil de Julie');
    await page.getByLabel('Confirmez le mot de passe').fill('le soleil de Julie');
    await page.locator('#question').selectOption('pere');
    await page.locator('#reponse').fill('Bernard');
    await page.getByRole('button', { name: 'Enregistrer mon mot de passe' }).click();
    await expect(page.getByText('Votre mot de passe est enregistré')).toBeVisible();
    await hydrated(page);

    // Logging out goes through FranceConnect and comes back to the home page.
    await logout(page);
    expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
  });

  test('an existing candidate links FranceConnect, then logs in with it', async ({ page }) => {
    await login(page, '/connexion', demo.usager.identifiant, demo.usager.password);
    await expect(page).toHaveURL(/\/monespace$/);
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'Connectez-vous plus simplement' })).toBeVisible();
    await page.getByRole('button', { name: 'S’identifier avec FranceConnect' }).click();
    await atProvider(page, 'lucas');
    await expect(page).toHaveURL(/\/monespace\?franceconnect=relie$/);
    await expect(page.getByText('FranceConnect est relié à votre compte')).toBeVisible();
    await hydrated(page);
    await expectAccessible(page);
    await logout(page);

    // The login page: « S'identifier avec FranceConnect » beside the identifiant.
    await page.goto('/connexion');
    await hydrated(page);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'S’identifier avec FranceConnect' }).click();
    await atProvider(page, 'lucas');
    await expect(page).toHaveURL(/\/monespace$/);
    await expect(page.getByText('Votre compte est relié à FranceConnect.')).toBeVisible();

    // An identity linked to no account gets a page that says what to do, and no session.
    await logout(page);
    await page.goto('/connexion');
    await hydrated(page);
    await page.getByRole('button', { name: 'S’identifier avec FranceConnect' }).click();
    await atProvider(page, 'camille');
    await expect(page.getByRole('heading', { name: 'Aucun compte relié à cette identité' })).toBeVisible();
    await expect(page.getByText('Aucune session n\'a été ouverte.')).toBeVisible();
    await expectAccessible(page);
  });
});
