// A real OpenID Connect provider for the tests: the npm package oidc-provider (an OpenID Certified
// implementation), with its development login screen (any login, any password: the login typed is
// the person's e-mail address, vouched for as verified) and PKCE required of every client.
//
//   node tests/identity/oidc_provider.mjs '{"port": 5123, "clients": [{...}]}'
//
// Prints "listening <issuer>" once it answers.
import Provider from 'oidc-provider';

const options = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${options.port}`;

const provider = new Provider(issuer, {
  clients: options.clients,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  cookies: { keys: ['test-cookie-key-not-a-secret'] },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: id, email_verified: true, name: `Person ${id.split('@')[0]}` };
      },
    };
  },
});
provider.proxy = false;
provider.listen(options.port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
