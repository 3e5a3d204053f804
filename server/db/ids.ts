import { randomBytes } from 'node:crypto';

export type IdPrefix = 'itm' | 'top' | 'ing' | 'adj' | 'usr' | 'ord' | 'pay' | 'ref' | 'evt' | 'whk' | 'dlv' | 'ses' | 'rtk' | 'att';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 20;
/** The largest multiple of 62 a byte can hold; bytes above it are skipped so every character is equally likely. */
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);

/** A new opaque id such as `ord_4fX9kQ2mZr7TbW1cNp0e`: the prefix, then about 119 random bits in base62. */
export function newId(prefix: IdPrefix): string {
  let id = `${prefix}_`;
  while (id.length < prefix.length + 1 + RANDOM_LENGTH) {
    for (const byte of randomBytes(RANDOM_LENGTH)) {
      if (byte < UNBIASED_LIMIT && id.length < prefix.length + 1 + RANDOM_LENGTH) id += ALPHABET[byte % ALPHABET.length];
    }
  }
  return id;
}
