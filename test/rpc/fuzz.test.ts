// A bounded, seeded fuzz of the packet decoder: whatever arrives, the result is packets or a VirError.
import { describe, expect, it } from 'vitest';
import { VirError } from '../../src/ts/errors/vir-error.js';
import { decodePacket, decodePayload, PACKET_MAX, PacketFramer } from '../../src/ts/rpc/packet.js';
import { hexSessions, readHexSession } from './captures.js';
import { seededRandom } from '../support/seeded-random.js';


const samples = hexSessions()
  .flatMap((s) => readHexSession(s))
  .map((p) => p.bytes)
  .filter((b) => b.readUInt32BE(0) === b.length);

/** Feeds bytes to a fresh framer and decodes what comes out; returns how it ended. */
function feed(bytes: Buffer): 'ok' | 'error' | 'incomplete' {
  try {
    const framer = new PacketFramer();
    const packets = framer.push(bytes);
    for (const p of packets) decodePayload(decodePacket(p));
    return framer.pending ? 'incomplete' : 'ok';
  } catch (err) {
    if (!(err instanceof VirError)) throw new Error(`non-VirError thrown: ${String(err)}`);
    expect(err.domain).toBe(7); // VIR_FROM_RPC
    expect(err.message.length).toBeGreaterThan(10);
    return 'error';
  }
}

describe('packet decoder fuzz', () => {
  const seed = 0x7e5f1;
  const next = seededRandom(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = () => Buffer.from(samples[int(samples.length)]);

  it(`mutations of captured packets give packets or VirErrors (seed ${seed})`, () => {
    const outcomes = { ok: 0, error: 0, incomplete: 0 };
    for (let i = 0; i < 4000; i++) {
      const b = pick();
      let mutated: Buffer;
      switch (i % 6) {
        case 0: // truncated
          mutated = b.subarray(0, int(b.length));
          break;
        case 1: // wrong length word
          b.writeUInt32BE(int(b.length * 2 + 64), 0);
          mutated = b;
          break;
        case 2: // random bytes flipped (length word kept, so the payload decoders see the damage)
          for (let k = 0, n = 1 + int(4); k < n; k++) {
            const at = 4 + int(b.length - 4);
            b[at] = int(256);
          }
          mutated = b;
          break;
        case 3: // random garbage with a plausible length word
          mutated = Buffer.alloc(28 + int(200));
          for (let k = 0; k < mutated.length; k++) mutated[k] = int(256);
          mutated.writeUInt32BE(mutated.length, 0);
          break;
        case 4: // a huge count or string length inside the payload
          if (b.length > 32) b.writeUInt32BE(0xffffff00 + int(255), 28 + 4 * int((b.length - 28) / 4));
          mutated = b;
          break;
        default: // length over the limit, or below the header size
          b.writeUInt32BE(int(2) ? PACKET_MAX + 1 + int(1 << 20) : int(28), 0);
          mutated = b;
      }
      outcomes[feed(mutated)]++;
    }
    expect(outcomes.error).toBeGreaterThan(1000);
    expect(outcomes.incomplete).toBeGreaterThan(100);
  });

  it('a length over the limit is refused as soon as its length word arrives, before any buffering', () => {
    const framer = new PacketFramer();
    const word = Buffer.alloc(4);
    word.writeUInt32BE(PACKET_MAX + 1);
    expect(() => framer.push(word)).toThrow(/exceeds maximum 33554432/);
  });

  it('a smaller configured limit applies', () => {
    const framer = new PacketFramer(1024);
    const word = Buffer.alloc(4);
    word.writeUInt32BE(2048);
    expect(() => framer.push(word)).toThrow(/packet length 2048 exceeds maximum 1024/);
  });

  it('an array count larger than the data left fails without allocating it', () => {
    const b = samples.find((s) => s.length > 40)!;
    const copy = Buffer.from(b);
    copy.writeUInt32BE(0xfffffff0, 28);
    expect(feed(copy)).toBe('error');
  });
});
