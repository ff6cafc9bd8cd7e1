// The generated codecs against the real bytes virsh and python3-libvirt exchanged with libvirtd 9.0.
import { describe, expect, it } from 'vitest';
import { decodePacket, decodePayload, encodePayload, PacketFramer } from '../../src/ts/rpc/packet.js';
import { keepaliveProgram, remoteProgram } from '../../src/ts/rpc/programs.js';
import { XdrReader, XdrWriter, xdrDeferred, xdrInt, xdrString, xdrStruct } from '../../src/ts/rpc/xdr.js';
import { hexSessions, readHexSession, remoteProcedureNames } from './captures.js';

describe('generated procedure tables', () => {
  it('REMOTE_PROGRAM has exactly the 443 procedures of libvirt 9.0.0, by number and name', () => {
    const expected = remoteProcedureNames();
    expect(expected.size).toBe(443);
    expect(new Map([...remoteProgram.procedures].map(([n, p]) => [n, p.name]))).toEqual(expected);
    expect(remoteProgram.program).toBe(0x20008086);
  });

  it('KEEPALIVE has PING and PONG without payload', () => {
    expect(keepaliveProgram.program).toBe(0x6b656570);
    expect([...keepaliveProgram.procedures.values()].map((p) => [p.name, p.args, p.msg])).toEqual([
      ['KEEPALIVE_PROC_PING', null, null],
      ['KEEPALIVE_PROC_PONG', null, null],
    ]);
  });

  it('stream procedures carry their stream annotation', () => {
    const byName = (n: string) => [...remoteProgram.procedures.values()].find((p) => p.name === n)!;
    expect(byName('REMOTE_PROC_DOMAIN_SCREENSHOT').readStream).toBe(1);
    expect(byName('REMOTE_PROC_STORAGE_VOL_UPLOAD').writeStream).toBe(1);
    expect(byName('REMOTE_PROC_STORAGE_VOL_DOWNLOAD').readStream).toBe(1);
  });
});

describe('deferred codecs (what xdr-schema.ts makes of each generated type)', () => {
  it('builds the codec once, on first use, and then encodes, decodes and describes as it does', () => {
    let builds = 0;
    const inner = xdrStruct<{ name: string; id: number }>([
      ['name', xdrString(16)],
      ['id', xdrInt],
    ]);
    const codec = xdrDeferred(() => {
      builds++;
      return inner;
    });
    expect(builds).toBe(0);
    const w = new XdrWriter();
    codec.encode(w, { name: 'test', id: -2 });
    expect(builds).toBe(1);
    const bytes = w.bytes();
    const plain = new XdrWriter();
    inner.encode(plain, { name: 'test', id: -2 });
    expect(bytes).toEqual(plain.bytes());
    expect(codec.decode(new XdrReader(bytes))).toEqual({ name: 'test', id: -2 });
    expect(codec.shape).toBe(inner.shape);
    expect(builds).toBe(1);
  });

  it('an error from the codec it builds reaches the caller', () => {
    const codec = xdrDeferred(() => xdrString(2));
    expect(() => codec.encode(new XdrWriter(), 'too long')).toThrow(/XDR/);
  });
});

describe.each(hexSessions())('captured session %s', (name) => {
  const packets = readHexSession(name);

  it('has packets', () => expect(packets.length).toBeGreaterThan(10));

  it('every packet decodes (header and payload) and re-encodes byte for byte', () => {
    let checked = 0;
    for (const p of packets) {
      const declared = p.bytes.readUInt32BE(0);
      if (declared !== p.bytes.length) {
        // The capture cut long stream packets to their first bytes: only the header is there to check.
        expect(p.line).toMatch(/type=STREAM /);
        continue;
      }
      const packet = decodePacket(p.bytes);
      expect(p.line).toContain(`proc=${packet.header.proc} `);
      expect(p.line).toContain(`serial=${packet.header.serial} `);
      const payload = decodePayload(packet);
      expect(encodePayload(packet.header, payload).equals(p.bytes), p.line).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('the framer splits the whole byte stream of each direction into the same packets, whatever the chunking', () => {
    for (const conn of new Set(packets.map((p) => p.connection))) {
      for (const dir of ['C>S', 'S>C']) {
        const whole = packets.filter((p) => p.connection === conn && p.direction === dir && p.bytes.readUInt32BE(0) === p.bytes.length);
        const stream = Buffer.concat(whole.map((p) => p.bytes));
        for (const chunk of [1, 3, 7, 4096]) {
          const framer = new PacketFramer();
          const out: Buffer[] = [];
          for (let i = 0; i < stream.length; i += chunk) out.push(...framer.push(stream.subarray(i, i + chunk)));
          expect(out.map((b) => b.toString('hex'))).toEqual(whole.map((p) => p.bytes.toString('hex')));
          expect(framer.pending).toBe(0);
        }
      }
    }
  });
});

describe('decoded values', () => {
  const find = (session: string, text: string) => {
    const p = readHexSession(session).find((x) => x.line.includes(text));
    if (!p) throw new Error(`no packet with ${text}`);
    return decodePayload(decodePacket(p.bytes));
  };

  it('CONNECT_OPEN args carry the URI and flags', () => {
    expect(find('02-dominfo', 'REMOTE_PROC_CONNECT_OPEN type=CALL').value).toEqual({ name: 'test:///default', flags: 0 });
  });

  it('an error reply decodes to remote_error with libvirt code, domain and message', () => {
    const payload = find('x1-save-domjobinfo', 'DOMAIN_GET_JOB_INFO type=REPLY');
    expect(payload.kind).toBe('error');
    expect(payload.value).toMatchObject({
      code: 3,
      domain: 20,
      level: 2,
      message: 'this function is not supported by the connection driver: virDomainGetJobInfo',
      int1: -1,
      int2: -1,
    });
  });

  it('DOMAIN_GET_INFO ret decodes hyper fields as bigint', () => {
    const payload = find('02-dominfo', 'DOMAIN_GET_INFO type=REPLY');
    expect(payload.value).toMatchObject({ state: 1, maxMem: 8388608n, nrVirtCpu: 2 });
  });
});
