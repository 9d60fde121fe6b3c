import assert from 'node:assert/strict';
import {
  checkAmount,
  currencyExponent,
  formatAmount,
  InvalidAmountError,
  isCurrencyCode,
  multiplyMinor,
  parseAmount,
  sumMinor,
} from '../../domain/money';

describe('money: currencies', () => {
  it('knows the minor-unit digits of a currency', () => {
    assert.equal(currencyExponent('USD'), 2);
    assert.equal(currencyExponent('EUR'), 2);
    assert.equal(currencyExponent('JPY'), 0);
    assert.equal(currencyExponent('KWD'), 3);
  });

  it('accepts ISO 4217 codes only: three upper-case letters naming a real currency', () => {
    for (const code of ['USD', 'EUR', 'ARS', 'JPY']) assert.equal(isCurrencyCode(code), true, code);
    for (const code of ['usd', 'US', 'USDD', '', 'U$D', 'ABC']) assert.equal(isCurrencyCode(code), false, code);
  });

  it('refuses an unknown currency', () => {
    assert.throws(() => currencyExponent('usd'), RangeError);
    assert.throws(() => parseAmount('1.00', 'XYZ1'), InvalidAmountError);
  });
});

describe('money: parseAmount', () => {
  it('reads decimal strings into minor units', () => {
    assert.equal(parseAmount('150.00', 'USD'), 15_000);
    assert.equal(parseAmount('150.5', 'USD'), 15_050);
    assert.equal(parseAmount('150', 'USD'), 15_000);
    assert.equal(parseAmount('0.01', 'USD'), 1);
    assert.equal(parseAmount('0', 'USD'), 0);
    assert.equal(parseAmount('1500', 'JPY'), 1_500);
    assert.equal(parseAmount('1.234', 'KWD'), 1_234);
    assert.equal(parseAmount(' 12.30 ', 'EUR'), 1_230);
  });

  it('reads numbers exactly, never through float arithmetic', () => {
    assert.equal(parseAmount(150, 'USD'), 15_000);
    assert.equal(parseAmount(19.99, 'USD'), 1_999);
    assert.equal(parseAmount(0.29, 'USD'), 29); // 0.29 * 100 is 28.999999999999996 in floats
  });

  it('refuses negatives, NaN, infinities and non-decimal text', () => {
    for (const value of ['-1', '-0.01', 'abc', '', ' ', '1,000.00', '1e3', '+5', '.5', '5.', '0x10', 'NaN']) {
      assert.throws(() => parseAmount(value, 'USD'), InvalidAmountError, JSON.stringify(value));
    }
    for (const value of [-1, Number.NaN, Number.POSITIVE_INFINITY, -0, 1e21]) {
      assert.throws(() => parseAmount(value, 'USD'), InvalidAmountError, String(value));
    }
  });

  it('refuses more decimals than the currency allows', () => {
    assert.throws(() => parseAmount('1.001', 'USD'), /at most 2 decimal places/);
    assert.throws(() => parseAmount('1.000', 'USD'), InvalidAmountError);
    assert.throws(() => parseAmount('1500.5', 'JPY'), /at most 0 decimal places/);
    assert.throws(() => parseAmount(0.1 + 0.2, 'USD'), InvalidAmountError);
  });

  it('refuses amounts beyond the safe integer range', () => {
    assert.throws(() => parseAmount('99999999999999999', 'USD'), /too large/);
  });

  it('checkAmount reports the same rules without throwing', () => {
    assert.deepEqual(checkAmount('2.50', 'USD'), { ok: true, minor: 250 });
    const refused = checkAmount('-2.50', 'USD');
    assert.equal(refused.ok, false);
  });
});

describe('money: formatAmount and arithmetic', () => {
  it('formats minor units with the currency digits', () => {
    assert.equal(formatAmount(15_000, 'USD'), '150.00');
    assert.equal(formatAmount(5, 'USD'), '0.05');
    assert.equal(formatAmount(0, 'USD'), '0.00');
    assert.equal(formatAmount(1_500, 'JPY'), '1500');
    assert.equal(formatAmount(1_234, 'KWD'), '1.234');
    assert.equal(formatAmount(-250, 'USD'), '-2.50');
  });

  it('round-trips parse and format', () => {
    for (const text of ['0.00', '0.07', '12.30', '150.00', '9007199254740.99']) {
      assert.equal(formatAmount(parseAmount(text, 'USD'), 'USD'), text);
    }
  });

  it('refuses non-integer minor units', () => {
    assert.throws(() => formatAmount(1.5, 'USD'), RangeError);
  });

  it('multiplies and sums exactly, refusing overflow', () => {
    assert.equal(multiplyMinor(15_000, 6), 90_000);
    assert.equal(sumMinor([1, 2, 3]), 6);
    assert.equal(sumMinor([]), 0);
    assert.throws(() => multiplyMinor(Number.MAX_SAFE_INTEGER, 2), RangeError);
    assert.throws(() => sumMinor([Number.MAX_SAFE_INTEGER, 1]), RangeError);
  });
});
