/** Start-up configuration (runtime/config.ts): the bootstrap admin token is checked before it is used. */
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../runtime/config';

describe('configuration: RHS_ADMIN_TOKEN', () => {
  it('accepts a Bearer token of 16 to 512 characters', () => {
    assert.equal(loadConfig({ RHS_ADMIN_TOKEN: 'rhs_dev_0123456789abcdef' }).adminToken, 'rhs_dev_0123456789abcdef');
    assert.equal(loadConfig({}).adminToken, undefined);
  });

  for (const [label, value] of [
    ['a short one', 'admin'],
    ['one with a space', 'admin token 0123456789'],
    ['one with a character Bearer tokens cannot carry', 'admin:0123456789abcdef'],
    ['one longer than 512 characters', 'a'.repeat(513)],
  ] as const) {
    it(`refuses ${label}, without echoing it`, () => {
      assert.throws(() => loadConfig({ RHS_ADMIN_TOKEN: value }), (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /RHS_ADMIN_TOKEN is not/);
        assert.ok(!e.message.includes(value), 'the token appears in the error message');
        return true;
      });
    });
  }
});
