// A real OpenID provider for NIS's sign-in tests: npm's certified oidc-provider, on loopback.
//
//   node provider.mjs --config config.json [--port 0]
//
// The configuration (a JSON file, or the JSON text itself in OIDC_PROVIDER_CONFIG) holds
//   clients:  oidc-provider client metadata, e.g. {client_id, client_secret, redirect_uris,
//             token_endpoint_auth_method: "client_secret_basic" | "client_secret_post",
//             application_type: "web" | "native"}; a native client's loopback redirect URIs
//             match on any port (RFC 8252 §7.3), as oidc-provider implements it;
//   accounts: {id: {password, name, email, preferred_username, groups: [...]}}; the sign-in
//             form takes an account's id or its preferred_username, and its password;
//   id_token_claims: true to put the profile, email and groups claims in the ID token as
//             well (by default, as oidc-provider conforms to OpenID Connect Core 5.4, a code
//             flow's ID token carries sub alone and the claims come from userinfo).
// It listens on 127.0.0.1 (--port, or OIDC_PROVIDER_PORT; 0 picks a free port), uses the
// issuer http://127.0.0.1:PORT, and prints `oidc-provider ready: ISSUER` on stdout once it
// accepts connections. It exits when its standard input closes (the test run that started
// it has ended, however it ended) or on SIGTERM.
//
// The sign-in page is ours (oidc-provider's devInteractions are for development only):
// GET /interaction/UID shows a username and password form; consent is granted at once for
// what the client asked (these are first-party clients of the partnership).

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const HOST = '127.0.0.1';

function readConfig(path) {
  const text = path ? readFileSync(path, 'utf8') : process.env.OIDC_PROVIDER_CONFIG;
  if (!text) {
    throw new Error('give the configuration: --config FILE, or OIDC_PROVIDER_CONFIG');
  }
  const config = JSON.parse(text);
  if (!Array.isArray(config.clients) || typeof config.accounts !== 'object') {
    throw new Error('the configuration needs "clients" (a list) and "accounts" (an object)');
  }
  return config;
}

function signingKey() {
  // One RSA key per run (RS256 is what OpenID Connect clients must support).
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res, status, title, body) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}

function loginForm(res, uid, clientId, { status = 200, message = '', username = '' } = {}) {
  const action = `/interaction/${encodeURIComponent(uid)}`;
  page(res, status, 'Sign in', `
<p>to ${escapeHtml(clientId)}</p>
${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="${action}/login">
  <label>Username <input name="username" autocomplete="username" value="${escapeHtml(username)}" required autofocus></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>
<form method="post" action="${action}/abort"><button type="submit">Cancel</button></form>`);
}

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function findAccountBy(accounts, username) {
  if (Object.hasOwn(accounts, username)) return [username, accounts[username]];
  return Object.entries(accounts).find(([, a]) => a.preferred_username === username) ?? [undefined, undefined];
}

async function grantConsent(provider, details) {
  const { prompt: { details: missing }, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  return grant.save();
}

function interactions(provider, accounts) {
  // The routes under /interaction/UID[/login|/abort]; anything else is oidc-provider's.
  return async (req, res, uid, action) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) {
      return page(res, 400, 'Sign-in failed', '<p>This sign-in page belongs to another attempt.</p>');
    }
    const { prompt, params } = details;
    if (req.method === 'GET' && action === undefined) {
      if (prompt.name === 'login') return loginForm(res, uid, params.client_id);
      if (prompt.name === 'consent') {
        const grantId = await grantConsent(provider, details);
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      }
      return page(res, 501, 'Not implemented', `<p>No page for the ${escapeHtml(prompt.name)} prompt.</p>`);
    }
    if (req.method === 'POST' && action === 'login' && prompt.name === 'login') {
      const form = await readForm(req);
      const username = form.get('username') ?? '';
      const [accountId, account] = findAccountBy(accounts, username);
      if (account === undefined || account.password !== form.get('password')) {
        return loginForm(res, uid, params.client_id, { status: 401, message: 'Wrong username or password.', username });
      }
      return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    }
    if (req.method === 'POST' && action === 'abort') {
      const result = { error: 'access_denied', error_description: 'End-User aborted interaction' };
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    return page(res, 405, 'Method not allowed', '');
  };
}

function main() {
  const { values } = parseArgs({ options: { config: { type: 'string' }, port: { type: 'string' } } });
  const config = readConfig(values.config);
  const accounts = config.accounts;
  let handle; // oidc-provider's own routes
  let interaction;
  const server = createServer((req, res) => {
    const match = /^\/interaction\/([^/?]+)(?:\/(login|abort))?(?:\?.*)?$/.exec(req.url);
    if (!match) return handle(req, res);
    return interaction(req, res, decodeURIComponent(match[1]), match[2]).catch((err) => {
      console.error(`interaction error: ${err.name}: ${err.message}`);
      if (!res.headersSent) page(res, 400, 'Sign-in failed', `<p>${escapeHtml(err.message)}</p>`);
    });
  });

  server.listen(Number(values.port ?? process.env.OIDC_PROVIDER_PORT ?? 0), HOST, () => {
    const issuer = `http://${HOST}:${server.address().port}`;
    const provider = new Provider(issuer, {
      clients: config.clients,
      async findAccount(_ctx, sub) {
        if (!Object.hasOwn(accounts, sub)) return undefined;
        const { password: _password, ...claims } = accounts[sub];
        return { accountId: sub, claims: async () => ({ sub, ...claims }) };
      },
      claims: {
        openid: ['sub'],
        profile: ['name', 'preferred_username'],
        email: ['email', 'email_verified'],
        groups: ['groups'],
      },
      scopes: ['openid', 'profile', 'email', 'groups'],
      conformIdTokenClaims: !config.id_token_claims,
      pkce: { required: () => true }, // oidc-provider 9 knows S256 alone
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, { uid }) => `/interaction/${uid}` },
      // Distinct names: NIS's own cookies live on 127.0.0.1 as well (cookies ignore ports).
      cookies: {
        keys: [randomBytes(32).toString('hex')],
        names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_interaction_resume' },
      },
      jwks: { keys: [signingKey()] },
    });
    for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error']) {
      provider.on(event, (_ctx, err) => {
        console.error(`${event}: ${err.name}: ${err.message}${err.error_description ? ` (${err.error_description})` : ''}`);
      });
    }
    interaction = interactions(provider, accounts);
    handle = provider.callback();
    console.log(`oidc-provider ready: ${issuer}`);
  });

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

main();
