import { isUtf8 } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { installBridge } from '../../../src/ffi/bridge.js';
import { firstInvalidUtf8, STRING_KINDS, withCallerBytes } from '../../../src/ffi/c-strings.js';
import { nativeAbi } from '../../../src/ffi/native-abi.js';

// The checks behind utf8.test.ts: which byte strings are UTF-8, and how the caller's bytes replace their
// stand-ins in errors.

describe('firstInvalidUtf8', () => {
  it('finds the first bad sequence', () => {
    expect(firstInvalidUtf8(Buffer.from('caf\u00e9 \u{1F600}'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xff]))).toBe(1);
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc3]))).toBe(1); // truncated
    expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0); // overlong '/'
    expect(firstInvalidUtf8(Buffer.from([0xe0, 0x80, 0xaf]))).toBe(0); // overlong
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a surrogate
    expect(firstInvalidUtf8(Buffer.from([0xf4, 0x90, 0x80, 0x80]))).toBe(0); // past U+10FFFF
    expect(firstInvalidUtf8(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(-1); // U+FFFD itself is fine
  });

  it('agrees with Node’s validator on random bytes (seeded)', () => {
    let seed = 20261204;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (let n = 0; n < 5000; n++) {
      // Mostly ASCII and lead bytes with continuations, so that valid strings come up too.
      const bytes = Buffer.from(Array.from({ length: random() % 12 }, () => (random() < 96 ? random() & 0x7f : 0x80 | random())));
      const at = firstInvalidUtf8(bytes);
      expect(at < 0, bytes.toString('hex')).toBe(isUtf8(bytes));
      if (at >= 0) expect(isUtf8(bytes.subarray(0, at))).toBe(true);
    }
  });
});

describe('withCallerBytes', () => {
  it('puts the bytes back, NUL-terminated, and leaves other text alone', () => {
    const standIn = '\u{10FFFD}x\u{10FFFD}';
    expect(withCallerBytes('no stand-in', [{ text: standIn, bytes: Buffer.from([0xff]) }])).toBe('no stand-in');
    const out = withCallerBytes(`'${standIn}' and '${standIn}'`, [{ text: standIn, bytes: Buffer.from([0x70, 0xff]) }]);
    expect(out).toEqual(Buffer.from([0x27, 0x70, 0xff, 0x27, ...Buffer.from(" and '"), 0x70, 0xff, 0x27, 0]));
  });
});

describe('STRING_KINDS', () => {
  it('names operations of the C ABI only', () => {
    installBridge();
    const abi = nativeAbi();
    const operations = new Set<string>();
    for (let fn = 0; abi.functionName(fn) !== null; fn++) operations.add(abi.functionName(fn)!);
    expect(Object.keys(STRING_KINDS).filter((name) => !operations.has(name))).toEqual([]);
  });
});
