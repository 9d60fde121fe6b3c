/**
 * Money as integer minor units (cents for USD, yen for JPY, fils for KWD): never floats, so sums and
 * products are exact. Amounts travel in the API as decimal strings ("150.00"); this module converts.
 *
 * Pure: only `Intl`, safe in Temporal workflow code.
 */

export class InvalidAmountError extends Error {
  override readonly name = 'InvalidAmountError';
}

export type AmountCheck = { ok: true; minor: number } | { ok: false; message: string };

const CURRENCY_PATTERN = /^[A-Z]{3}$/;
const DECIMAL_PATTERN = /^(\d+)(?:\.(\d+))?$/;

// Intl knows which well-formed codes are real ISO 4217 currencies (it would format "ABC" too).
const knownCurrencies: ReadonlySet<string> | undefined = listKnownCurrencies();

/** ISO 4217: three upper-case letters naming a currency Intl knows. */
export function isCurrencyCode(code: string): boolean {
  if (typeof code !== 'string' || !CURRENCY_PATTERN.test(code)) return false;
  if (knownCurrencies) return knownCurrencies.has(code);
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return true;
  } catch {
    return false;
  }
}

/** Number of minor-unit digits of the currency (USD 2, JPY 0, KWD 3), as Intl (CLDR) defines it. */
export function currencyExponent(currency: string): number {
  requireCurrency(currency);
  const options = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions();
  return options.maximumFractionDigits ?? 2;
}

/**
 * A non-negative decimal amount ("150", "150.5", "150.50" or the number 150.5) to minor units.
 * Refuses negatives, NaN, exponents, thousands separators, and more decimals than the currency has
 * (even zeros: "1.000" USD is refused, so a typo never passes silently).
 */
export function parseAmount(text: string | number, currency: string): number {
  const checked = checkAmount(text, currency);
  if (!checked.ok) throw new InvalidAmountError(checked.message);
  return checked.minor;
}

/** Same rules as `parseAmount`, as a result for input validation (no exception). */
export function checkAmount(text: string | number, currency: string): AmountCheck {
  if (!isCurrencyCode(currency)) return { ok: false, message: `unknown currency ${JSON.stringify(currency)}` };
  const decimal = amountText(text);
  if (decimal === undefined) return { ok: false, message: 'must be a non-negative decimal number such as "150.00"' };
  const match = DECIMAL_PATTERN.exec(decimal);
  if (!match) return { ok: false, message: 'must be a non-negative decimal number such as "150.00"' };
  const [, units, fraction = ''] = match;
  const exponent = currencyExponent(currency);
  if (fraction.length > exponent) {
    return { ok: false, message: `${currency} allows at most ${exponent} decimal place${exponent === 1 ? '' : 's'}` };
  }
  // BigInt first so an oversized amount is refused rather than rounded.
  const minor = BigInt(units) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, '0') || '0');
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, message: 'is too large' };
  return { ok: true, minor: Number(minor) };
}

/** Minor units to a plain decimal string with the currency's digits: 15000 USD → "150.00", 1500 JPY → "1500". */
export function formatAmount(minor: number, currency: string): string {
  requireMinorUnits(minor);
  const exponent = currencyExponent(currency);
  const sign = minor < 0 ? '-' : '';
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  if (exponent === 0) return sign + digits;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Exact product of a minor-unit price and a quantity; refuses results past the safe-integer range. */
export function multiplyMinor(unitMinor: number, quantity: number): number {
  requireMinorUnits(unitMinor);
  requireMinorUnits(quantity);
  const product = unitMinor * quantity;
  if (!Number.isSafeInteger(product)) throw new RangeError('amount exceeds the safe integer range');
  return product;
}

/** Exact sum of minor-unit amounts (all in the same currency). */
export function sumMinor(amounts: readonly number[]): number {
  let total = 0;
  for (const amount of amounts) {
    requireMinorUnits(amount);
    total += amount;
    if (!Number.isSafeInteger(total)) throw new RangeError('sum exceeds the safe integer range');
  }
  return total;
}

// ---------------------------------------------------------------------------------------------

function amountText(value: string | number): string | undefined {
  if (typeof value === 'number') {
    // String(1e21) is "1e+21" and String(-0) is "0": the pattern refuses the first, the sign check the second.
    if (!Number.isFinite(value) || value < 0 || Object.is(value, -0)) return undefined;
    return String(value);
  }
  if (typeof value !== 'string') return undefined;
  return value.trim();
}

function listKnownCurrencies(): ReadonlySet<string> | undefined {
  const intl = Intl as { supportedValuesOf?: (key: 'currency') => string[] };
  return typeof intl.supportedValuesOf === 'function' ? new Set(intl.supportedValuesOf('currency')) : undefined;
}

function requireCurrency(currency: string): void {
  if (!isCurrencyCode(currency)) throw new RangeError(`Unknown currency ${JSON.stringify(currency)}`);
}

function requireMinorUnits(value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`Not an integer amount of minor units: ${value}`);
}
