// panva's OpenID Certified oidc-provider on loopback, for tests/test_sso_panva.py.
//
//   node server.mjs <port> <accounts.json>
//
// Default, spec-conformant settings: ID tokens carry no profile claims (conformIdTokenClaims is
// left on, so email and groups come from the UserInfo endpoint only), PKCE is required, the
// authorization response carries `iss` (RFC 9207), RP-initiated logout is on, and the
// development interactions (a login form that accepts any login name, then a consent prompt)
// are the user interface. The accounts file is read on every lookup, so a test can change an
// account (a new email address) between two sign-ins. Environment: APP_BASE_URL (default
// http://127.0.0.1:5000), CLIENT_ID, CLIENT_SECRET. Prints "ready <issuer>" once listening.
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT || 0);
const accountsFile = process.argv[3] || process.env.ACCOUNTS_FILE;
if (!port || !accountsFile) {
  console.error('usage: node server.mjs <port> <accounts.json>');
  process.exit(2);
}
const appBase = (process.env.APP_BASE_URL || 'http://127.0.0.1:5000').replace(/\/$/, '');
const issuer = `http://127.0.0.1:${port}`;

function accounts() {
  return JSON.parse(readFileSync(accountsFile, 'utf8'));
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID || 'incident-hub-panva',
      client_secret: process.env.CLIENT_SECRET || 'panva-test-secret',
      redirect_uris: [`${appBase}/login/oidc/callback`],
      post_logout_redirect_uris: [`${appBase}/login`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  scopes: ['openid', 'email', 'profile', 'groups'],
  async findAccount(ctx, id) {
    const claims = accounts()[id];
    if (!claims) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...claims };
      },
    };
  },
  // Loopback only, no real secrets: fixed keys so nothing is written anywhere.
  cookies: { keys: ['incident-hub-test-cookie-key'] },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});
