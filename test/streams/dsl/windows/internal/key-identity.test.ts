import { describe, expect, it } from 'vitest';
import { keyIdentity } from '../../../../../src/streams/dsl/windows/internal/key-identity.js';

describe('keyIdentity', () => {
  it('is equal for equal keys of the same type and differs across types', () => {
    expect(keyIdentity('1')).toBe(keyIdentity('1'));
    expect(keyIdentity('1')).not.toBe(keyIdentity(1));
    expect(keyIdentity(Buffer.from('ab'))).toBe(keyIdentity(Buffer.from('ab')));
    expect(keyIdentity({ user: 'u1', card: 2 })).toBe(keyIdentity({ user: 'u1', card: 2 }));
    expect(keyIdentity({ user: 'u1' })).not.toBe(keyIdentity({ user: 'u2' }));
  });
});
