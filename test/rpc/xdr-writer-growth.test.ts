// XdrWriter grows its buffer on demand: every kind of item, written exactly where the buffer is full, lands
// in the grown buffer (a write once went to the old one when the growth happened in its own argument).
import { describe, expect, it } from 'vitest';
import { XdrReader, XdrWriter } from '../../src/ts/rpc/xdr.js';

describe('XdrWriter growth', () => {
  it.each([
    ['int', (w: XdrWriter) => w.int(-7), (r: XdrReader) => r.int(), -7],
    ['uint', (w: XdrWriter) => w.uint(0xdeadbeef), (r: XdrReader) => r.uint(), 0xdeadbeef],
    ['hyper', (w: XdrWriter) => w.hyper(-5n), (r: XdrReader) => r.hyper(), -5n],
    ['uhyper', (w: XdrWriter) => w.uhyper(1n << 40n), (r: XdrReader) => r.uhyper(), 1n << 40n],
    ['float', (w: XdrWriter) => w.float(1.5), (r: XdrReader) => r.float(), 1.5],
    ['double', (w: XdrWriter) => w.double(2.25), (r: XdrReader) => r.double(), 2.25],
  ] as const)('%s written at the end of a full buffer', (_name, write, read, value) => {
    for (let filled = 0; filled <= 64; filled += 4) {
      const w = new XdrWriter(16);
      for (let i = 0; i < filled; i += 4) w.uint(i);
      write(w);
      const r = new XdrReader(Buffer.from(w.bytes()), filled);
      expect(read(r)).toBe(value);
    }
  });

  it('raw bytes written at the end of a full buffer', () => {
    const w = new XdrWriter(8);
    w.uint(1);
    w.uint(2);
    w.raw(Buffer.from('abcd'));
    expect(Buffer.from(w.bytes()).subarray(8).toString()).toBe('abcd');
  });
});
