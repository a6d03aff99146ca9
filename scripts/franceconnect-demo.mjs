// The FranceConnect of development and tests: a real OpenID Connect provider (npm
// `oidc-provider`) set up like FranceConnect v2's integration environment, so that the service
// speaks to it exactly as it would to FranceConnect: discovery, authorization code flow with
// `state` and `nonce`, `acr_values=eidas1`, ID token and userinfo signed in ES256 (RS256 keys
// published too), the identité pivot claims, logout through `end_session_endpoint`.
//
//   node scripts/franceconnect-demo.mjs [--port 4010] [--issuer URL] [--client-id …] [--client-secret …]
//        [--redirect-uri http://127.0.0.1:3000/franceconnect/retour]
//        [--post-logout-uri http://127.0.0.1:3000/franceconnect/deconnexion/retour]
//
// Prints « franceconnect-demo listening on http://127.0.0.1:PORT » once it accepts connections
// (the issuer names its port: pick a free one before). Its login page lists the demo identities (password « 123 »
// for all, as on FranceConnect's integration identity provider). Keys are made at each start:
// nothing secret is kept on disk. Never for production.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const port = Number(arg('port', process.env.FC_DEMO_PORT ?? '4010'));
const host = '127.0.0.1';
const clientId = arg('client-id', 'permis-demo');
const clientSecret = arg('client-secret', 'permis-demo-secret-0123456789abcdef');
const redirectUris = arg('redirect-uri', 'http://127.0.0.1:3000/franceconnect/retour').split(',');
const postLogoutUris = arg('post-logout-uri', 'http://127.0.0.1:3000/franceconnect/deconnexion/retour').split(',');

// The identité pivot of each demo person, and the other claims FranceConnect v2 returns.
// « Angela » is FranceConnect's own demo identity; the others are candidates of the age of a
// first licence, one of them with several given names (what schools often shorten).
export const IDENTITIES = [
  {
    login: 'test',
    sub: 'b6048e95bb134ec5b1d1e1fa69f287172e91722b9354d637a1bcf2ebb0fd2ef5v1',
    given_name: 'Angela Claire Louise',
    family_name: 'DUBOIS',
    preferred_name: '',
    birthdate: '1962-08-24',
    gender: 'female',
    birthplace: '75107',
    birthcountry: '99100',
    email: 'wossewodda-3728@yopmail.com',
  },
  {
    login: 'camille',
    sub: '4d1c3a4c5e8c1b9f0a2e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8v1',
    given_name: 'Camille Marie Louise',
    family_name: 'BERNARD',
    preferred_name: '',
    birthdate: '2009-03-14',
    gender: 'female',
    birthplace: '77288',
    birthcountry: '99100',
    email: 'camille.bernard@exemple.fr',
  },
  {
    login: 'julie',
    sub: '7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a2918f7e6d5c4b3a2918f7e6v1',
    given_name: 'Julie Anne',
    family_name: 'DURAND',
    preferred_name: '',
    birthdate: '1985-06-15',
    gender: 'female',
    birthplace: '77288',
    birthcountry: '99100',
    email: 'julie.durand@exemple.fr',
  },
  {
    login: 'lucas',
    sub: '9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9v1',
    given_name: 'Lucas',
    family_name: 'PETIT',
    preferred_name: '',
    birthdate: '2007-11-02',
    gender: 'male',
    birthplace: '69123',
    birthcountry: '99100',
    email: 'lucas.petit@exemple.fr',
  },
  {
    // Born abroad: no birthplace (FranceConnect sends an empty string), the country's COG code.
    login: 'ines',
    sub: '1f2e3d4c5b6a79880f1e2d3c4b5a69781f2e3d4c5b6a79880f1e2d3c4b5a6978v1',
    given_name: 'Inès',
    family_name: 'HADDAD',
    preferred_name: '',
    birthdate: '2008-06-30',
    gender: 'female',
    birthplace: '',
    birthcountry: '99350',
    email: 'ines.haddad@exemple.fr',
  },
  {
    // An identity without a birth date: the service must refuse it with a clear message.
    login: 'incomplet',
    sub: '0000aaaabbbbccccddddeeeeffff00001111222233334444555566667777888v1',
    given_name: 'Sans',
    family_name: 'DATE',
    preferred_name: '',
    gender: 'male',
    birthplace: '75056',
    birthcountry: '99100',
    email: 'sans.date@exemple.fr',
  },
  {
    // Authenticated at a lower level than asked (eidas0 instead of eidas1): to be refused.
    login: 'faible',
    sub: '5555aaaabbbbccccddddeeeeffff00001111222233334444555566667777999v1',
    given_name: 'Léo',
    family_name: 'MARTIN',
    preferred_name: '',
    birthdate: '2008-01-20',
    gender: 'male',
    birthplace: '75056',
    birthcountry: '99100',
    email: 'leo.martin@exemple.fr',
    acr: 'eidas0',
  },
];
const PASSWORD = '123';

const CLAIMS = ['given_name', 'family_name', 'birthdate', 'gender', 'birthplace', 'birthcountry', 'email', 'preferred_name'];

function jwk(type, options, alg) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomBytes(6).toString('hex')}` };
}

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    client_name: 'Permis de conduire (démonstration)',
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutUris,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'ES256',
    userinfo_signed_response_alg: 'ES256',
  }],
  jwks: {
    keys: [
      jwk('ec', { namedCurve: 'P-256' }, 'ES256'),
      jwk('rsa', { modulusLength: 2048 }, 'RS256'),
    ],
  },
  // FranceConnect's scopes are named after the claim they release.
  claims: Object.fromEntries([['openid', ['sub']], ...CLAIMS.map((c) => [c, [c]])]),
  scopes: ['openid', ...CLAIMS],
  acrValues: ['eidas1', 'eidas0'],
  responseTypes: ['code'],
  pkce: { required: () => false },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    jwtUserinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // FranceConnect logs out without asking: the form is submitted at once.
      logoutSource: async (ctx, form) => {
        ctx.body = page('Déconnexion', `${form}<p>Déconnexion en cours…</p>
          <button type="submit" form="op.logoutForm" name="logout" value="yes">Continuer</button>
          <script nonce="${ctx.state.nonce ?? ''}">document.forms['op.logoutForm'].requestSubmit
            ? document.forms['op.logoutForm'].requestSubmit(document.querySelector('button[name=logout]'))
            : document.forms['op.logoutForm'].submit();</script>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Déconnecté', '<p>Vous êtes déconnecté de FranceConnect.</p>');
      },
    },
  },
  async findAccount(_ctx, sub) {
    const person = IDENTITIES.find((p) => p.sub === sub);
    if (!person) return undefined;
    return {
      accountId: sub,
      async claims() {
        const { login: _login, ...claims } = person;
        return claims;
      },
    };
  },
  // FranceConnect asks no consent of its own in this flow: the grant covers what was asked.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) {
      const grant = await ctx.oidc.provider.Grant.find(grantId);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
    await grant.save();
    return grant;
  },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600 },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Erreur', `<p>${escape(out.error)} : ${escape(out.error_description ?? '')}</p>`);
  },
};

function escape(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} — FranceConnect (démonstration)</title><link rel="icon" href="data:,">
<style>body{font-family:sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem}label,input,select,button{display:block;margin:.5rem 0}
input,select{padding:.4rem;width:100%}button{padding:.5rem 1rem;background:#000091;color:#fff;border:0}.erreur{color:#ce0500}</style></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function loginForm(uid, error, login) {
  const options = IDENTITIES.map((p) => `<li><code>${escape(p.login)}</code> : ${escape(p.given_name)} ${escape(p.family_name)}${p.birthdate ? `, née ou né le ${escape(p.birthdate)}` : ', sans date de naissance'}</li>`).join('');
  return page('Fournisseur d\'identité de démonstration', `
<p>Identités de démonstration (mot de passe <code>${PASSWORD}</code> pour toutes) :</p><ul>${options}</ul>
${error ? `<p class="erreur" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label for="login">Identifiant</label><input id="login" name="login" autocomplete="username" value="${escape(login ?? '')}">
<label for="password">Mot de passe</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit">Se connecter</button></form>
<form method="post" action="/interaction/${escape(uid)}/annuler"><button type="submit">Annuler et revenir au service</button></form>`);
}

async function formBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16384) throw new Error('corps trop long');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// `--issuer`: the address clients reach it at, when a proxy stands in front (tests).
const issuer = arg('issuer', `http://${host}:${port}`);
const provider = new Provider(issuer, configuration);
provider.proxy = false;

// The interactions (FranceConnect's choice of identity provider and that provider's login page,
// in one page here): `/interaction/:uid`.
provider.use(async (ctx, next) => {
  const m = ctx.path.match(/^\/interaction\/([A-Za-z0-9_-]+)(\/login|\/annuler)?$/);
  if (!m) return next();
  ctx.set('Cache-Control', 'no-store');
  const [, uid, action] = m;
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (details.uid !== uid) ctx.throw(400, 'interaction inconnue');
  if (!action && ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = loginForm(uid);
    return undefined;
  }
  if (ctx.method !== 'POST') ctx.throw(405);
  if (action === '/annuler') {
    // What FranceConnect answers when the person goes back to the service.
    return provider.interactionFinished(ctx.req, ctx.res, {
      error: 'access_denied',
      error_description: 'User auth aborted',
    }, { mergeWithLastSubmission: false });
  }
  const body = await formBody(ctx.req);
  const person = IDENTITIES.find((p) => p.login === body.get('login')?.trim());
  if (!person || body.get('password') !== PASSWORD) {
    ctx.type = 'html';
    ctx.status = 200;
    ctx.body = loginForm(uid, 'Identifiant ou mot de passe incorrect.', body.get('login'));
    return undefined;
  }
  return provider.interactionFinished(ctx.req, ctx.res, {
    login: { accountId: person.sub, acr: person.acr ?? 'eidas1', amr: ['pwd'] },
  }, { mergeWithLastSubmission: false });
});

const server = provider.listen(port, host, () => {
  console.log(`franceconnect-demo listening on http://${host}:${server.address().port} (issuer ${issuer})`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
