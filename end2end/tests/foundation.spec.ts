import { expect } from '@playwright/test';
import { demo, expectAccessible, hydrated, login, watchConsole, test } from './helpers';

test('the home page explains the service and hydrates without errors', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/');
  await hydrated(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Demande de permis de conduire en ligne');
  await expect(page.getByText('République', { exact: false }).first()).toBeVisible();
  await expectAccessible(page);
  expect(errors, 'console errors (CSP, hydration)').toEqual([]);
});

test('the pages every public service publishes are reached from the footer, each with its own title', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/');
  await hydrated(page);
  const titles = new Set<string>();
  for (const [link, heading] of [
    ['Plan du site', 'Plan du site'],
    ['Accessibilité : non conforme', "Déclaration d'accessibilité"],
    ['Mentions légales', 'Mentions légales'],
    ['Données personnelles', 'Données personnelles'],
    ['Gestion des cookies', 'Gestion des cookies'],
    ['Aide et contact', 'Aide et contact'],
  ]) {
    await page.getByRole('contentinfo').getByRole('link', { name: link, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    // After a navigation inside the app, the focus is on the new page's title.
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    titles.add(await page.title());
    await expectAccessible(page);
  }
  expect(titles.size).toBe(6);
  // On a phone (375 px and the RGAA reflow width, 320 px), nothing is wider than the screen.
  for (const width of [375, 320]) {
    await page.setViewportSize({ width, height: 812 });
    for (const path of ['/donnees-personnelles', '/gestion-des-cookies']) {
      await page.goto(path);
      // Its WASM chunk arrives before the next page is opened (leaving aborts it).
      await hydrated(page);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${path} at ${width} px`).toBeLessThanOrEqual(0);
    }
  }
  expect(errors, 'console errors').toEqual([]);
});

test('a click handled by the WASM works in the release build', async ({ page }) => {
  await page.goto('/connexion');
  await hydrated(page);
  const password = page.getByLabel('Mot de passe', { exact: true });
  await expect(password).toHaveAttribute('type', 'password');
  await page.getByText('Afficher', { exact: true }).click();
  await expect(password).toHaveAttribute('type', 'text');
  await page.getByText('Afficher', { exact: true }).click();
  await expect(password).toHaveAttribute('type', 'password');
});

test('a driving school logs in and sees « Mes demandes »', async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto('/connexion/pro');
  await expectAccessible(page);
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page).toHaveURL(/\/ecole\/demandes$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Mes demandes' })).toBeVisible();
  await expect(page.getByText('Auto-école de la Gare')).toBeVisible();
  await expect(page.getByRole('table')).toBeVisible();
  await expectAccessible(page);
  // A reload is rendered by the server from the session cookie.
  await page.reload();
  await expect(page.getByRole('heading', { level: 1, name: 'Mes demandes' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a candidate logs in, sees « Mon espace », logs out, and sees the previous login next time', async ({ page }) => {
  await page.goto('/connexion');
  await expectAccessible(page);
  await login(page, '/connexion', demo.usager.identifiant, demo.usager.password);
  await expect(page).toHaveURL(/\/monespace$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Mon espace' })).toBeVisible();
  await expect(page.getByText('Bienvenue, Pierre Martin')).toBeVisible();
  await expectAccessible(page);

  await page.getByRole('button', { name: 'Se déconnecter' }).first().click();
  await expect(page.getByText('Vous êtes déconnecté')).toBeVisible();
  // The session is over on the server: the page sends back to the login form.
  await page.goto('/monespace');
  await expect(page).toHaveURL(/\/connexion$/);

  await login(page, '/connexion', demo.usager.identifiant, demo.usager.password);
  await expect(page).toHaveURL(/\/monespace$/);
  await expect(page.getByText(/Dernière connexion : \d{2}\/\d{2}\/\d{4} à \d{2}:\d{2}/)).toBeVisible();
});

test('a wrong password shows the message and keeps what was typed', async ({ page }) => {
  await login(page, '/connexion', demo.usager.identifiant, 'ce nest pas le bon');
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('Identifiant ou mot de passe incorrect');
  await expect(page.getByLabel('Identifiant ou adresse électronique')).toHaveValue(demo.usager.identifiant);
  await expect(page).toHaveURL(/\/connexion$/);
  await expectAccessible(page);
});

test('an empty identifiant gets a message next to the field', async ({ page }) => {
  await page.goto('/connexion/pro');
  await hydrated(page);
  await page.getByLabel('Mot de passe', { exact: true }).fill('quelque chose de long');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.locator('#identifiant-error')).toHaveText(
    'Saisissez votre identifiant ou votre adresse électronique.',
  );
  await expect(page.getByLabel('Identifiant ou adresse électronique')).toHaveAttribute('aria-invalid', 'true');
  await expectAccessible(page);
});

test('unknown pages answer a DSFR 404', async ({ page }) => {
  const res = await page.goto('/nulle-part');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page non trouvée');
  await expectAccessible(page);
});

test.describe('on a phone', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  test('the header menu opens and leads to the login pages', async ({ page }) => {
    await page.goto('/');
    await hydrated(page);
    await page.getByRole('button', { name: 'Menu' }).click();
    const menu = page.locator('#modal-menu');
    await expect(menu.getByRole('link', { name: 'Mon espace' })).toBeVisible();
    // The focus goes into the menu and stays there: Shift+Tab from « Fermer » goes to its
    // last link, Tab from there comes back to « Fermer ».
    const fermer = menu.getByRole('button', { name: 'Fermer' });
    await expect(fermer).toBeFocused();
    await page.keyboard.press('Shift+Tab');
    await expect(menu.locator(':focus')).toHaveCount(1);
    await expect(fermer).not.toBeFocused();
    await page.keyboard.press('Tab');
    await expect(fermer).toBeFocused();
    // Escape closes it and the focus is on « Menu ».
    await page.keyboard.press('Escape');
    await expect(menu.getByRole('link', { name: 'Mon espace' })).toBeHidden();
    await expect(page.getByRole('button', { name: 'Menu' })).toBeFocused();
    await page.getByRole('button', { name: 'Menu' }).click();
    await expect(menu.getByRole('link', { name: 'Mon espace' })).toBeVisible();
    await expectAccessible(page);
    await menu.getByRole('link', { name: 'Espace professionnel' }).click();
    await expect(page).toHaveURL(/\/connexion\/pro$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText("Connexion à l'espace professionnel");
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the login form still works (plain form post)', async ({ page }) => {
    await page.goto('/connexion/pro');
    await page.getByLabel('Identifiant ou adresse électronique').fill(demo.ecole.identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill(demo.ecole.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect(page).toHaveURL(/\/ecole\/demandes$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Mes demandes' })).toBeVisible();
  });
});

test.describe('without JavaScript, refused forms', () => {
  test.use({ javaScriptEnabled: false });

  test('a wrong password shows the message and keeps the identifiant', async ({ page }) => {
    await page.goto('/connexion');
    await page.getByLabel('Identifiant ou adresse électronique').fill(demo.usager.identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill('pas le bon mot de passe');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect(page).toHaveURL(/\/connexion$/);
    await expect(page.getByRole('alert')).toContainText('Identifiant ou mot de passe incorrect');
    await expect(page.getByLabel('Identifiant ou adresse électronique')).toHaveValue(demo.usager.identifiant);
    await expect(page.getByLabel('Mot de passe', { exact: true })).toHaveValue('');
  });

  test('a step with mistakes comes back with its messages and what was typed', async ({ page }) => {
    await page.goto('/connexion/pro');
    await page.getByLabel('Identifiant ou adresse électronique').fill(demo.ecole.identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill(demo.ecole.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('button', { name: 'Nouvelle demande' }).click();
    await expect(page).toHaveURL(/\/etape\/1$/);
    await page.getByText('Première demande de permis de conduire (inscription)').click();
    await page.getByRole('button', { name: 'Suivant' }).click();
    await expect(page).toHaveURL(/\/etape\/1$/);
    await expect(page.locator('#categories-messages')).toContainText('Cochez au moins une catégorie.');
    await expect(page.locator('#filiere-messages')).toContainText('Choisissez la filière de formation.');
    await expect(page.locator('#motif-premier')).toBeChecked();
    // Once shown, the message is gone on reload.
    await page.reload();
    await expect(page.locator('#categories-messages')).toBeEmpty();
  });

  test('a file over 10 MB comes back with the message of the service, not a reset connection', async ({ page }) => {
    await page.goto('/connexion/pro');
    await page.getByLabel('Identifiant ou adresse électronique').fill(demo.ecole.identifiant);
    await page.getByLabel('Mot de passe', { exact: true }).fill(demo.ecole.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('button', { name: 'Nouvelle demande' }).click();
    await expect(page).toHaveURL(/\/etape\/1$/);
    await page.goto(page.url().replace(/\/etape\/1$/, '/etape/5'));
    const identite = page.locator('#piece-identite');
    await identite.locator('input[type=file]').setInputFiles({
      name: 'scan-600dpi.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.alloc(24 * 1024 * 1024, 0x20),
    });
    await identite.getByRole('button', { name: /^Envoyer/ }).click();
    await expect(page).toHaveURL(/\/etape\/5\?erreur=taille&piece=identite/);
    await expect(page.locator('#fichier-identite-messages')).toContainText('Ce fichier dépasse 10 Mo');
  });
});

test('any account changes its password from the header, giving the current one', async ({ page }) => {
  const errors = watchConsole(page);
  await login(page, '/connexion/pro', demo.ecole.identifiant, demo.ecole.password);
  await expect(page.getByRole('heading', { level: 1, name: 'Mes demandes' })).toBeVisible();
  await hydrated(page);
  await page.locator('.fr-header__tools-links').getByRole('link', { name: 'Mot de passe', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Changer de mot de passe' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  // A leaked password is refused in the browser, before anything is sent.
  await page.getByLabel('Mot de passe actuel').fill('pas mon mot de passe');
  await page.getByRole('textbox', { name: /^Nouveau mot de passe/ }).fill('qazwsxedc123');
  await page.getByLabel('Confirmez le nouveau mot de passe').fill('qazwsxedc123');
  await page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click();
  await expect(page.locator('#password-messages')).toContainText('plus utilisés');
  // A wrong current password is refused by the server, on its field.
  await page.getByRole('textbox', { name: /^Nouveau mot de passe/ }).fill('une phrase toute neuve');
  await page.getByLabel('Confirmez le nouveau mot de passe').fill('une phrase toute neuve');
  await page.getByRole('button', { name: 'Enregistrer le nouveau mot de passe' }).click();
  await expect(page.locator('#actuel-messages')).toContainText("Ce n'est pas votre mot de passe actuel");
  await expectAccessible(page);
  expect(errors.filter((e) => !e.includes('status of 400'))).toEqual([]);
});

test('a professional who forgot the password asks for a link by email', async ({ page }) => {
  await page.goto('/connexion/pro');
  await hydrated(page);
  await page.getByRole('link', { name: 'Mot de passe oublié ?' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Mot de passe oublié — espace professionnel' })).toBeVisible();
  await hydrated(page);
  await expectAccessible(page);
  await page.getByLabel('Identifiant ou adresse électronique').fill('compte.inconnu');
  await page.getByRole('button', { name: 'Recevoir un lien' }).click();
  await expect(page.getByText('Si cet identifiant correspond à un compte professionnel actif', { exact: false })).toBeVisible();
  await expectAccessible(page);
});
