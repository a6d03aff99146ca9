import { expect } from '@playwright/test';
import { demo, expectAccessible, fileDemande, hydrated, login, logout, openMessage, watchConsole, test } from './helpers';

const camille = {
  prenoms: 'Camille',
  nom: 'Durand',
  email: 'camille.durand@example.fr',
  mobile: '06 98 76 54 32',
};
const password = 'un velo bleu sous la pluie';

test.describe.serial('the school validates, the candidate receives and activates', () => {
  test('a new candidate activates the account from the email and logs in with the identifiant', async ({ page }) => {
    const errors = watchConsole(page);
    await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
    await expect(page).toHaveURL(/\/ecole\/demandes$/);
    const numero = await fileDemande(page, camille);
    await logout(page);

    // The email and the SMS arrive at once, in the development mailbox.
    const email = await openMessage(page, camille.email, 'Votre école de conduite');
    await expect(email).toContainText(numero);
    await expect(email).toContainText('sans activation de votre part avant le');
    const sms = page.locator('.permis-message[data-channel=sms]').filter({ hasText: '+33698765432' });
    await expect(sms).toHaveCount(1);
    await expect(sms).toContainText(`demande No ${numero}`);
    await expectAccessible(page);

    // The link opens « Vous y êtes presque ! », the sex entered by the school already chosen.
    await email.getByRole('link', { name: /\/monespace\/activer\// }).click();
    await expect(page.getByRole('heading', { name: 'Vous y êtes presque !' })).toBeVisible();
    await hydrated(page);
    await expect(page.getByLabel('Femme')).toBeChecked();
    await expectAccessible(page);

    // A mistake first: the confirmation differs; the message sits on its field.
    await page.locator('#password').fill(password);
    await page.getByLabel('Confirmez le mot de passe').fill('un velo rouge sous la pluie');
    await page.locator('#question').selectOption({ label: 'Quel était le nom de votre premier animal de compagnie ?' });
    await page.locator('#reponse').fill('Caramel');
    await page.getByRole('button', { name: 'Me connecter' }).click();
    await expect(page.locator('#confirmation-messages')).toContainText('ne correspond pas');
    await expectAccessible(page);
    await page.getByLabel('Confirmez le mot de passe').fill(password);
    await page.getByRole('button', { name: 'Me connecter' }).click();

    // Logged in, on « Demande à valider ».
    await expect(page).toHaveURL(/\/monespace\/a-valider$/);
    await expect(page.getByRole('heading', { name: 'Demande à valider' })).toBeVisible();
    await expect(page.getByRole('link', { name: `Permis de conduire — Pré-demande N° ${numero}` })).toBeVisible();
    await expect(page.getByText('Bienvenue', { exact: false }).first()).toBeVisible();
    await expectAccessible(page);

    // The identifiant comes by email; the candidate logs out and back in with it.
    await logout(page);
    const identifiant = await openMessage(page, camille.email, 'Votre identifiant de connexion');
    await expect(identifiant).toContainText('cdurand');
    await expect(identifiant).not.toContainText(password);
    await login(page, '/connexion', 'cdurand', password);
    await expect(page).toHaveURL(/\/monespace$/);
    expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
  });

  test('a second demande for the same email reaches the existing account without a new activation', async ({ page }) => {
    await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
    await expect(page).toHaveURL(/\/ecole\/demandes$/);
    const numero = await fileDemande(page, { ...camille, email: 'Camille.Durand@example.fr' });
    await logout(page);

    const invitation = await openMessage(page, 'Camille.Durand@example.fr', 'attend votre validation');
    await expect(invitation).toContainText(numero);
    await expect(invitation).not.toContainText('/monespace/activer/');
    // Still one activation email for Camille.
    await expect(
      page.locator('.permis-message').filter({ hasText: 'Activez votre compte pour valider' }).filter({ hasText: camille.email }),
    ).toHaveCount(1);

    await login(page, '/connexion', camille.email, password);
    await expect(page).toHaveURL(/\/monespace$/);
    await page.goto('/monespace/a-valider');
    await expect(page.getByRole('link', { name: `Permis de conduire — Pré-demande N° ${numero}` })).toBeVisible();
  });

  test('a forgotten password is reset with the secret answer and a one-time link', async ({ page }) => {
    await page.goto('/connexion');
    await hydrated(page);
    await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
    await expect(page.getByRole('heading', { name: 'Mot de passe oublié' })).toBeVisible();
    await hydrated(page);
    await expectAccessible(page);
    await page.getByLabel('Identifiant ou adresse électronique').fill('cdurand');
    await page.locator('#question').selectOption({ label: 'Quel était le nom de votre premier animal de compagnie ?' });
    await page.locator('#reponse').fill('CARAMEL');
    await page.getByRole('button', { name: 'Recevoir un lien' }).click();
    await expect(page.getByText('Si ces informations correspondent à un compte activé')).toBeVisible();

    const mail = await openMessage(page, camille.email, 'Réinitialisation de votre mot de passe');
    await mail.getByRole('link', { name: /\/connexion\/reinitialiser\// }).click();
    await expect(page.getByRole('heading', { name: 'Choisissez un nouveau mot de passe' })).toBeVisible();
    await hydrated(page);
    await expectAccessible(page);
    const renewed = 'trois pommes sur la table';
    await page.locator('#password').fill(renewed);
    await page.getByLabel('Confirmez le mot de passe').fill(renewed);
    await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
    await expect(page.getByText('Votre mot de passe a été modifié')).toBeVisible();
    await login(page, '/connexion', 'cdurand', renewed);
    await expect(page).toHaveURL(/\/monespace$/);
  });
});
