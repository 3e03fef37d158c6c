import { localJwks } from '../../../src/cloud';

describe('localJwks (where the local gateway finds an issuer’s keys)', () => {
  it('serves the local identity issuer’s keys from the local API itself', () => {
    expect(localJwks('https://auth.switchyard.local/local', 'http://127.0.0.1:3000').href).toBe(
      'http://127.0.0.1:3000/auth/.well-known/jwks.json',
    );
  });

  it('looks any other issuer up where OIDC puts its keys', () => {
    expect(localJwks('https://cognito-idp.us-east-1.amazonaws.com/pool/', 'http://127.0.0.1:3000').href).toBe(
      'https://cognito-idp.us-east-1.amazonaws.com/pool/.well-known/jwks.json',
    );
  });
});
