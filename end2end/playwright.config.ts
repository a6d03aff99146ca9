import { defineConfig, devices } from '@playwright/test';

// The release build is served on its own port with a fresh SQLite database seeded with the
// demo accounts. Chromium comes from Debian (no browser download).
const port = 3100;
const baseURL = `http://127.0.0.1:${port}`;
// The FranceConnect of the tests: the project's test provider (npm oidc-provider set up like
// FranceConnect v2's integration environment).
const fcPort = 3110;
const fcIssuer = `http://127.0.0.1:${fcPort}`;
const fcClient = { id: 'permis-e2e', secret: 'permis-e2e-secret-2b7d4e9a1c3f5e7d' };

export default defineConfig({
  testDir: './tests',
  // Budgets for behaviour, not speed: a journey files a whole demande, runs the jobs and reads
  // PDFs; on a fresh, busy 2-core machine it has taken more than 30 s. Every wait is on a
  // condition (a visible element, a URL, an answer), never a fixed sleep.
  timeout: 180_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    locale: 'fr-FR',
    trace: 'retain-on-failure',
    actionTimeout: 30_000,
    navigationTimeout: 60_000,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], channel: undefined } },
  ],
  webServer: [
  {
    command: `node ../scripts/franceconnect-demo.mjs --port ${fcPort} --client-id ${fcClient.id} --client-secret ${fcClient.secret} --redirect-uri ${baseURL}/franceconnect/retour --post-logout-uri ${baseURL}/franceconnect/deconnexion/retour`,
    url: `${fcIssuer}/.well-known/openid-configuration`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'ignore',
  },
  {
    command:
      'rm -rf ../target/e2e && mkdir -p ../target/e2e && ../target/release/permis demo && exec ../target/release/permis serve',
    url: `${baseURL}/healthz`,
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    env: {
      DATABASE_URL: 'sqlite://../target/e2e/permis.db',
      PERMIS_LISTEN: `127.0.0.1:${port}`,
      PERMIS_PUBLIC_URL: baseURL,
      LEPTOS_SITE_ROOT: '../target/site',
      PERMIS_STORAGE: '../target/e2e/files',
      PERMIS_COMMUNES: '../generated/codes-postaux.tsv',
      PERMIS_ENV: 'development',
      PERMIS_DEV_MAILBOX: 'true',
      PERMIS_FRANCECONNECT_ISSUER: fcIssuer,
      PERMIS_FRANCECONNECT_CLIENT_ID: fcClient.id,
      PERMIS_FRANCECONNECT_CLIENT_SECRET: fcClient.secret,
      RUST_LOG: 'warn',
    },
  },
  ],
});
