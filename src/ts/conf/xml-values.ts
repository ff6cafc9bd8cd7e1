import { ErrorDomain, ErrorNumber, virError, VirError } from '../errors/index.js';
import type { XmlElement } from '../xml/index.js';
import { LLONG_MAX, parseULongLong, scaleInteger } from './units.js';

/**
 * Reading typed values out of elements with libvirt's own checks and wording. The attribute helpers mirror
 * libvirt's virXMLProp* family, whose errors come from the XML error domain.
 */

export function xmlError(detail: string, domain: ErrorDomain = ErrorDomain.VIR_FROM_XML): VirError {
  return virError(ErrorNumber.VIR_ERR_XML_ERROR, domain, detail);
}

function invalidAttr(el: XmlElement, attr: string, value: string, expected = ''): VirError {
  return xmlError(`Invalid value for attribute '${attr}' in element '${el.name}': '${value}'.${expected}`);
}

function missingAttr(el: XmlElement, attr: string): VirError {
  return xmlError(`Missing required attribute '${attr}' in element '${el.name}'`);
}

export interface PropOptions {
  required?: boolean;
}

/** An attribute that must be one of `values`. */
export function propEnum<T extends string>(
  el: XmlElement,
  attr: string,
  values: readonly T[],
  opts: PropOptions = {},
): T | undefined {
  const value = el.attr(attr);
  if (value === undefined) {
    if (opts.required) throw missingAttr(el, attr);
    return undefined;
  }
  if (!(values as readonly string[]).includes(value)) throw invalidAttr(el, attr, value);
  return value as T;
}

/** yes/no (libvirt's virTristateBool); absent is undefined. */
export function propYesNo(el: XmlElement, attr: string): 'yes' | 'no' | undefined {
  return propEnum(el, attr, ['yes', 'no'] as const);
}

/** on/off (libvirt's virTristateSwitch); absent is undefined. */
export function propOnOff(el: XmlElement, attr: string): 'on' | 'off' | undefined {
  return propEnum(el, attr, ['on', 'off'] as const);
}

/** An unsigned decimal attribute (up to 2^32 - 1, like libvirt's unsigned int). */
export function propUInt(el: XmlElement, attr: string, opts: PropOptions & { nonZero?: boolean } = {}): number | undefined {
  const value = el.attr(attr);
  if (value === undefined) {
    if (opts.required) throw missingAttr(el, attr);
    return undefined;
  }
  const n = parseULongLong(value);
  if (n === null || n > 0xffff_ffffn) throw invalidAttr(el, attr, value, ' Expected non-negative integer value');
  if (n === 0n && opts.nonZero) {
    throw xmlError(`Invalid value for attribute '${attr}' in element '${el.name}': Zero is not permitted`);
  }
  return Number(n);
}

/**
 * A signed integer attribute, optionally refused when negative; decimal, or with `anyBase` also `0x` hex and
 * `0` octal, as libvirt reads some of them.
 */
export function propInt(
  el: XmlElement,
  attr: string,
  opts: PropOptions & { nonNegative?: boolean; anyBase?: boolean } = {},
): number | undefined {
  const value = el.attr(attr);
  if (value === undefined) {
    if (opts.required) throw missingAttr(el, attr);
    return undefined;
  }
  const n = opts.anyBase ? parseCLongAnyBase(value) : parseCLong(value);
  if (n === null) throw invalidAttr(el, attr, value, ' Expected integer value');
  if (n < 0 && opts.nonNegative) throw invalidAttr(el, attr, value, ' Expected non-negative value');
  return n;
}

/**
 * strtoul/strtoull as libvirt calls them: a decimal number where a leading '-' negates modulo 2^bits; null
 * when not a number or too big.
 */
export function parseWrappingUnsigned(text: string, bits: 32 | 64): bigint | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/.exec(text);
  if (m === null) return null;
  const n = BigInt(m[2]!);
  if (n >= 1n << BigInt(bits)) return null;
  return m[1] === '-' ? BigInt.asUintN(bits, -n) : n;
}

/** A decimal int as strtol reads it (leading white space, a sign), the whole text; null when it is not one. */
export function parseCLong(text: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/.exec(text);
  if (m === null) return null;
  const n = Number(m[1]);
  return n >= -0x8000_0000 && n <= 0x7fff_ffff ? n : null;
}

/** strtol with base 0: an optional sign, then decimal, `0x` hexadecimal or `0` octal. */
function parseCLongAnyBase(text: string): number | null {
  const m = /^[ \t\n\v\f\r]*([+-]?)(.*)$/s.exec(text)!;
  const n = parseCUIntAnyBase(m[2]!, 0x8000_0000);
  if (n === null) return null;
  const signed = m[1] === '-' ? -n : n;
  return signed <= 0x7fff_ffff ? signed : null;
}

/**
 * An unsigned integer written with strtoul's base 0: decimal, `0x` hexadecimal or `0` octal. PCI addresses
 * are read this way. Null when the text is not such a number or exceeds `max`.
 */
export function parseCUIntAnyBase(text: string, max = 0xffff_ffff): number | null {
  const m = /^[ \t\n\v\f\r]*\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(text);
  if (m === null) return null;
  const digits = m[1]!;
  const n = /^0[xX]/.test(digits) ? parseInt(digits.slice(2), 16) : digits.length > 1 && digits[0] === '0' ? parseInt(digits, 8) : Number(digits);
  return n <= max ? n : null;
}

/**
 * A size element with an optional `unit=` attribute, scaled to bytes as libvirt's virParseScaledValue does.
 * `path` is the XPath libvirt names in its message (`./memory[1]`). Undefined when the element is absent.
 */
function scaledValue(el: XmlElement | undefined, path: string, defaultScale: bigint, limit: bigint): bigint | undefined {
  if (el === undefined) return undefined;
  const text = el.text();
  const n = parseULongLong(text);
  if (n === null) {
    if (text === '') return undefined;
    throw xmlError(`Invalid value '${text}' for element or attribute '${path}'`);
  }
  return scaleInteger(n, el.attr('unit') ?? '', defaultScale, limit);
}

/**
 * A memory size in KiB as libvirt's virDomainParseMemory reads it: scaled to bytes (default unit KiB, at most
 * LLONG_MAX bytes), then rounded up to whole KiB, which must stay below 2^53.
 */
export function memoryKiB(el: XmlElement | undefined, path: string): number | undefined {
  const bytes = scaledValue(el, path, 1024n, LLONG_MAX);
  if (bytes === undefined) return undefined;
  const kib = (bytes + 1023n) / 1024n;
  if (kib >= (LLONG_MAX + 1023n) / 1024n) {
    throw virError(ErrorNumber.VIR_ERR_OVERFLOW, ErrorDomain.VIR_FROM_DOMAIN, 'size value too large');
  }
  return Number(kib);
}
