import { expect, Page } from '@playwright/test';
import { execFileSync } from 'child_process';
import { demo, expectAccessible, fileDemande, hydrated, login, logout, openMessage, test } from './helpers';

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
      PERMIS_ENV: 'development',
      PERMIS_DEV_MAILBOX: 'true',
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

/** Activates the new account from the emailed link; lands on « Demande à valider ». */
async function activate(page: Page, email: string, password: string) {
  const message = await openMessage(page, email, 'Votre école de conduite');
  await message.getByRole('link', { name: /\/monespace\/activer\// }).click();
  await hydrated(page);
  await page.locator('#password').fill(password);
  await page.getByLabel('Confirmez le mot de passe').fill(password);
  await page.locator('#question').selectOption('surnom');
  await page.locator('#reponse').fill('Lulu');
  await page.getByRole('button', { name: 'Me connecter' }).click();
  await expect(page).toHaveURL(/\/monespace\/a-valider$/);
}

test('a paper demande: 16 days later both sides see « Formulaire photo-signature non reçu », then an agent records the late form', async ({ page }) => {
  const lucie = { prenoms: 'Lucie', nom: 'Retard', email: 'lucie.retard@example.fr', mobile: '06 12 21 12 21' };
  const password = 'le courrier arrive demain';
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  const numero = await fileDemande(page, lucie);
  await logout(page);
  await activate(page, lucie.email, password);
  await page.getByRole('link', { name: `Permis de conduire — Pré-demande N° ${numero}` }).click();
  await hydrated(page);
  await page.locator('label[for=attestation]').click();
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByRole('heading', { name: 'Dernières actions à réaliser' })).toBeVisible();
  const demandeUrl = page.url();
  await logout(page);

  const report = jumpDays(16);
  expect(report).toMatch(/[1-9]\d* demande\(s\) passée\(s\) en « Formulaire photo-signature non reçu »/);

  // The candidate: told by email, the demande says what to do and the form is still there.
  const mail = await openMessage(page, lucie.email, 'formulaire photo-signature non reçu');
  await expect(mail).toContainText('envoyez-le dès aujourd');
  await login(page, '/connexion', lucie.email, password);
  await expect(page).toHaveURL(/\/monespace$/);
  await expect(page.getByText("n'est pas arrivé au centre de traitement", { exact: false })).toBeVisible();
  await page.getByRole('link', { name: `Voir la demande N° ${numero}` }).click();
  await expect(page).toHaveURL(demandeUrl);
  await expect(page.getByRole('heading', { name: 'Formulaire photo-signature non reçu', level: 1 })).toBeVisible();
  await expect(page.getByText("Le centre n'a pas reçu votre formulaire photo-signature")).toBeVisible();
  await expect(page.getByRole('link', { name: 'Télécharger le formulaire photo-signature (PDF)' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await logout(page);

  // The school: told by email, sees the state in its list.
  const schoolMail = await openMessage(page, 'contact@autoecole-gare.example', `Demande n° ${numero} : formulaire photo-signature non reçu`);
  await expect(schoolMail).toContainText('Rapprochez-vous du candidat');
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  await expect(page.getByRole('row').filter({ hasText: numero })).toContainText('Formulaire photo-signature non reçu');
  await logout(page);

  // The form arrives: an agent records it by its number; a mistyped number is refused on the field.
  await login(page, '/connexion/pro', demo.agent.identifiant, demo.agent.password);
  await expect(page).toHaveURL(/\/pro$/);
  await hydrated(page);
  await expect(page.getByRole('row').filter({ hasText: numero })).toContainText('Formulaire photo-signature non reçu');
  await expectAccessible(page);
  await page.getByLabel('Numéro de la demande').fill('75-000000-0000');
  await page.getByRole('button', { name: 'Enregistrer la réception' }).click();
  await expect(page.getByText("Aucune demande portant ce numéro n'attend de formulaire")).toBeVisible();
  await expect(page.getByLabel('Numéro de la demande')).toHaveValue('75-000000-0000');
  await expectAccessible(page);
  await page.getByLabel('Numéro de la demande').fill(numero);
  await page.getByRole('button', { name: 'Enregistrer la réception' }).click();
  await expect(page.getByRole('heading', { name: `Formulaire de la demande n° ${numero} reçu` })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: numero })).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Tâches planifiées' })).toHaveCount(0);
  await logout(page);
  const received = await openMessage(page, lucie.email, 'formulaire photo-signature reçu');
  await expect(received).toContainText('votre démarche est terminée');

  // The administrator: the jobs' runs, what is due.
  await login(page, '/connexion/pro', demo.admin.identifiant, demo.admin.password);
  await expect(page).toHaveURL(/\/pro$/);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'Tâches planifiées' })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'Formulaire photo-signature non reçu (jour 15)' })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'commande' }).first()).toBeVisible();
  await expect(page.getByRole('heading', { name: /Messages en échec/ })).toBeVisible();
  await expectAccessible(page);
});

test('« Renvoyer le lien »: the school sends a new link, the old one stops working', async ({ page }) => {
  const theo = { prenoms: 'Théo', nom: 'Perdu', email: 'theo.perdu@example.fr', mobile: '06 98 98 98 98' };
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  const numero = await fileDemande(page, theo);
  const first = await openMessage(page, theo.email, 'Votre école de conduite');
  const oldLink = await first.getByRole('link', { name: /\/monespace\/activer\// }).getAttribute('href');

  await page.goto('/ecole/demandes');
  await hydrated(page);
  const row = page.getByRole('row').filter({ hasText: numero });
  await expect(row).toContainText('Encore 2 renvois possibles');
  await row.getByRole('button', { name: 'Renvoyer le lien' }).click();
  await expect(page.getByRole('heading', { name: `Nouveau lien envoyé pour la demande n° ${numero}` })).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: numero })).toContainText('Encore 1 renvoi possible');
  await expectAccessible(page);
  await logout(page);

  await expect(async () => {
    await page.goto('/dev/boite-mail');
    await expect(page.locator('.permis-message').filter({ hasText: theo.email }).filter({ hasText: 'Votre école de conduite' })).toHaveCount(2, { timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  await page.goto(oldLink as string);
  await expect(page.getByRole('heading', { name: 'Ce lien a été remplacé' })).toBeVisible();
  await activate(page, theo.email, 'un nouveau lien tout neuf');
});
