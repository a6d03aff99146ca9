import { expect, Page } from '@playwright/test';
import { activateFromEmail, Candidate, demo, expectAccessible, fileDemande, hydrated, login, logout, onePagePdf, pdfText, watchConsole, test } from './helpers';

// The centre's half: a demande validated by its candidate (Melun, 77) reaches the CERT de
// Paris; its agent follows it and finds the proof of address too old: a complement; the school
// replaces only that piece; the agent accepts; the candidate downloads the attestation
// d'inscription with the NEPH and its validity.
const ines = {
  prenoms: 'Ines',
  nom: 'Garnier',
  email: 'ines.garnier@example.fr',
  mobile: '07 22 33 44 55',
};
const password = 'le train part a midi';
const paris = { identifiant: 'agent.paris', password: 'instruction a paris 2026' };

/**
 * The demo school files a demande for `c` with e-photo `code`; the candidate activates the
 * new account from the email and validates it. Returns its number and id.
 */
async function validatedByItsCandidate(
  page: Page,
  c: Candidate,
  code: string,
  motDePasse: string,
  reponse: string,
): Promise<{ numero: string; id: string }> {
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  const numero = await fileDemande(page, { ...c, ephoto: code });
  await logout(page);
  await activateFromEmail(page, c, motDePasse, reponse);
  await page.getByRole('link', { name: `Permis de conduire — Pré-demande N° ${numero}` }).click();
  await hydrated(page);
  await page.locator('label[for=attestation]').click();
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByRole('heading', { name: 'Votre démarche est terminée' })).toBeVisible();
  const id = new URL(page.url()).pathname.split('/').pop() as string;
  await logout(page);
  return { numero, id };
}

test('an agent of the right centre accepts a demande and the candidate downloads the attestation', async ({ page }) => {
  const errors = watchConsole(page);
  const { numero, id } = await validatedByItsCandidate(page, ines, 'DEMO2026EPHOTO00000003', password, 'Nenesse');

  // The agent of the CERT de Paris finds it in « À instruire ».
  await login(page, '/connexion/pro', paris.identifiant, paris.password);
  await expect(page).toHaveURL(/:\d+\/pro$/);
  await expect(page.getByRole('heading', { name: 'Demandes du CERT de Paris' })).toBeVisible();
  await expect(page.getByRole('link', { name: numero })).toBeVisible();
  await expectAccessible(page);
  await page.getByRole('link', { name: numero }).click();
  await expect(page).toHaveURL(new RegExp(`/pro/demandes/${id}$`));
  await expect(page.getByRole('heading', { name: `Instruction de la demande n° ${numero}` })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Suivre cette demande' }).click();
  await expect(page.getByText('Vous suivez cette demande.', { exact: false }).first()).toBeVisible();

  // The proof of address is more than 6 months old: one request for a complement.
  const domicile = page.locator('#piece-domicile');
  await domicile.getByText('Non conforme', { exact: true }).click();
  await domicile.getByLabel('Motif de non-conformité').selectOption('plus_de_6_mois');
  await domicile.getByLabel('Commentaire').fill('Facture de janvier');
  await domicile.getByRole('button', { name: /Enregistrer le verdict/ }).click();
  await expect(page.getByText('Non conforme : Plus de 6 mois pour un justificatif de domicile').first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Accepter la demande' })).toHaveCount(0);
  await hydrated(page);
  await page.getByRole('button', { name: 'Demander le complément' }).click();
  await expect(page.getByText('Complément demandé : l\'école est prévenue', { exact: false })).toBeVisible();
  await expectAccessible(page);
  await logout(page);

  // The school sees what is asked and until when; only that piece is open.
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  await expect(page.getByText('Complément demandé (1 élément) — avant le', { exact: false })).toBeVisible();
  await page.getByRole('link', { name: numero }).click();
  await expect(page).toHaveURL(new RegExp(`/ecole/demandes/${id}/complement$`));
  await expect(page.getByRole('heading', { name: `Complément demandé — demande n° ${numero}` })).toBeVisible();
  await hydrated(page);
  await expect(page.getByLabel('Déposer le nouveau document : Justificatif de domicile', { exact: false })).toBeVisible();
  await expect(page.getByText('Déposer le nouveau document : Pièce d\'identité')).toHaveCount(0);
  await expectAccessible(page);
  await page.getByLabel('Déposer le nouveau document : Justificatif de domicile', { exact: false }).setInputFiles({
    name: 'facture-octobre.pdf',
    mimeType: 'application/pdf',
    buffer: onePagePdf(),
  });
  await page.getByRole('button', { name: 'Déposer : Justificatif de domicile' }).click();
  await expect(page.getByText('Document déposé : Justificatif de domicile.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'facture-octobre.pdf' })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Renvoyer au centre' }).click();
  await expect(page.getByText(`Complément de la demande n° ${numero} envoyé`)).toBeVisible();
  await logout(page);

  // Back to the agent: « Complément reçu », the new version marked; accepted.
  await login(page, '/connexion/pro', paris.identifiant, paris.password);
  await expect(page).toHaveURL(/:\d+\/pro$/);
  await expect(page.getByRole('heading', { name: 'Demandes du CERT de Paris' })).toBeVisible();
  await hydrated(page);
  await page.goto('/pro?onglet=complement-recu');
  await hydrated(page);
  await page.getByRole('link', { name: numero }).click();
  await expect(page.getByText('Nouvelle version reçue le', { exact: false })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'Accepter la demande' }).click();
  await expect(page.getByText('Demande acceptée : le NEPH est attribué', { exact: false })).toBeVisible();
  const neph = (await page.getByText(/Numéro d'inscription \(NEPH\) : \d{12}/).first().textContent())!.match(/\d{12}/)![0];
  await expectAccessible(page);
  await logout(page);

  // The candidate sees the decision and downloads the attestation.
  await login(page, '/connexion', 'igarnier', password);
  await expect(page).toHaveURL(/\/monespace/);
  await expect(page.getByRole('heading', { level: 1, name: 'Mon espace' })).toBeVisible();
  await hydrated(page);
  await page.goto(`/monespace/demandes/${id}`);
  await expect(page.getByRole('heading', { name: `Demande N° ${numero} acceptée` })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText('Demande acceptée : inscription enregistrée', { exact: false }).first()).toBeVisible();
  await expectAccessible(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: "Télécharger l'attestation d'inscription (PDF)" }).click(),
  ]);
  const text = await pdfText(await download.path());
  expect(text).toContain(neph);
  expect(text).toContain("Valable jusqu'au");
  const year = new Date().getFullYear() + 5;
  expect(text).toMatch(new RegExp(`\\d{2}/\\d{2}/${year}`));
  expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
});

test('a rejected demande reaches the candidate on a phone, with its motivation and the routes of appeal', async ({ page }) => {
  const errors = watchConsole(page);
  const theo = { prenoms: 'Theo', nom: 'Lambert', email: 'theo.lambert@example.fr', mobile: '07 33 44 55 66' };
  const motDePasse = 'la pluie tombe sur la ville';
  const { numero, id } = await validatedByItsCandidate(page, theo, 'DEMO2026EPHOTO00000004', motDePasse, 'Titi');

  // The agent rejects: a ground and the facts are required.
  await login(page, '/connexion/pro', paris.identifiant, paris.password);
  await expect(page).toHaveURL(/:\d+\/pro$/);
  await expect(page.getByRole('heading', { name: 'Demandes du CERT de Paris' })).toBeVisible();
  await hydrated(page);
  await page.goto(`/pro/demandes/${id}`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Rejeter la demande' }).click();
  await expect(page.getByText('Choisissez le motif du rejet.').first()).toBeVisible();
  await page.getByLabel('Motif du rejet').selectOption('doublon');
  const motivation = 'Une demande pour la catégorie B est déjà en cours d\'instruction pour ce candidat (n° 75-000000-0001).';
  await page.getByLabel('Motivation', { exact: false }).fill(motivation);
  await page.getByRole('button', { name: 'Rejeter la demande' }).click();
  await expect(page.getByText('Demande rejetée : la décision motivée est envoyée', { exact: false })).toBeVisible();
  await logout(page);

  // The candidate, on a phone.
  await page.setViewportSize({ width: 375, height: 812 });
  await login(page, '/connexion', 'tlambert', motDePasse);
  await expect(page).toHaveURL(/\/monespace/);
  await expect(page.getByRole('heading', { level: 1, name: 'Mon espace' })).toBeVisible();
  await hydrated(page);
  await page.goto(`/monespace/demandes/${id}`);
  await expect(page.getByRole('heading', { name: `Demande N° ${numero} rejetée` })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText(motivation).first()).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Voies et délais de recours' })).toBeVisible();
  await expect(page.getByText('tribunal administratif', { exact: false }).first()).toBeVisible();
  await expectAccessible(page);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Télécharger la décision (PDF)' }).click(),
  ]);
  const text = await pdfText(await download.path());
  expect(text).toContain('Voies et délais de recours');
  expect(text).toContain(numero);
  expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
});
