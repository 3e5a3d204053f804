import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../server/accounts/password.ts';

describe('password hashing', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[\w-]{22}\$[\w-]{86}$/);
    expect(await verifyPassword('correct horse battery staple', hash)).toBe(true);
    expect(await verifyPassword('correct horse battery stapler', hash)).toBe(false);
  });

  it('salts every hash, so equal passwords hash differently', async () => {
    expect(await hashPassword('same password twice')).not.toBe(await hashPassword('same password twice'));
  });

  it.each(['', 'not-a-hash', 'bcrypt$10$abc', 'scrypt$16384$8$1$c2FsdA$dG9vc2hvcnQ', 'scrypt$99999999$8$1$c2FsdA$eA'])(
    'never matches the malformed hash %j',
    async (hash) => {
      expect(await verifyPassword('anything at all', hash)).toBe(false);
    },
  );
});
