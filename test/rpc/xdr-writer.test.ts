// XdrWriter grows its buffer as values are written: every kind of write must land in the grown buffer.
import { describe, expect, it } from 'vitest';
import { XdrReader, XdrWriter } from '../../src/ts/rpc/xdr.js';

describe('XdrWriter buffer growth', () => {
  it('ints, hypers, doubles and raw bytes written past the initial size are kept', () => {
    const w = new XdrWriter(4);
    for (let i = 0; i < 100; i++) {
      w.int(-i - 1);
      w.uint(i);
      w.hyper(BigInt(-i) * 1_000_000_000_000n);
      w.uhyper(BigInt(i) * 1_000_000_000_000n);
      w.double(i / 3);
      w.float(i);
    }
    const raw = Buffer.alloc(300_000, 0xab);
    w.raw(raw);
    const bytes = w.bytes();
    expect(bytes.length).toBe(100 * 36 + raw.length);
    const r = new XdrReader(bytes);
    for (let i = 0; i < 100; i++) {
      expect(r.int()).toBe(-i - 1);
      expect(r.uint()).toBe(i);
      expect(r.hyper()).toBe(BigInt(-i) * 1_000_000_000_000n);
      expect(r.uhyper()).toBe(BigInt(i) * 1_000_000_000_000n);
      expect(r.double()).toBe(i / 3);
      expect(r.float()).toBe(i);
    }
    expect(r.fixedOpaque(raw.length).equals(raw)).toBe(true);
  });
});
