// libvirt's RPC packets: a 4-byte length word (counting itself), the 24-byte virNetMessageHeader, then the
// XDR payload whose type follows from the procedure, the packet type and the status.
import {
  VIR_NET_MESSAGE_HEADER_MAX,
  VIR_NET_MESSAGE_LEN_MAX,
  VIR_NET_MESSAGE_MAX,
  virNetMessageError,
  virNetMessageHeader,
  virNetMessageStatus,
  virNetMessageType,
  virNetStreamHole,
} from './generated/virnet-protocol.js';
import type { RpcProcedure } from './program.js';
import { findProcedure } from './programs.js';
import { type Codec, XdrReader, XdrWriter, decodeXdr, xdrError } from './xdr.js';

export const { VIR_NET_CALL, VIR_NET_REPLY, VIR_NET_MESSAGE, VIR_NET_STREAM, VIR_NET_CALL_WITH_FDS, VIR_NET_REPLY_WITH_FDS, VIR_NET_STREAM_HOLE } =
  virNetMessageType;
export const { VIR_NET_OK, VIR_NET_ERROR } = virNetMessageStatus;

/** Length word plus header: the smallest possible packet. */
export const PACKET_MIN = VIR_NET_MESSAGE_LEN_MAX + VIR_NET_MESSAGE_HEADER_MAX;
/** libvirt 9.0's limit on a whole packet (32 MiB); larger ones are refused before they are buffered. */
export const PACKET_MAX = VIR_NET_MESSAGE_MAX;

export interface Packet {
  header: virNetMessageHeader;
  /** The bytes after the header (a view into the received data). */
  payload: Buffer;
}

/** Encodes a whole packet; `body` writes the payload (nothing for an empty one). */
export function encodePacket(header: virNetMessageHeader, body?: (w: XdrWriter) => void, max = PACKET_MAX): Buffer {
  const w = new XdrWriter(256);
  w.uint(0);
  virNetMessageHeader.encode(w, header);
  body?.(w);
  if (w.length > max) throw xdrError(`packet of ${w.length} bytes exceeds the maximum of ${max}`);
  w.patchUInt(0, w.length);
  return Buffer.from(w.bytes());
}

export function encodePacketWith<T>(header: virNetMessageHeader, codec: Codec<T> | null, value: T, max = PACKET_MAX): Buffer {
  return encodePacket(header, codec ? (w) => codec.encode(w, value) : undefined, max);
}

export function encodeRawPacket(header: virNetMessageHeader, payload: Uint8Array, max = PACKET_MAX): Buffer {
  return encodePacket(header, (w) => w.raw(payload), max);
}

/**
 * Splits a byte stream into packets. Lengths below the header size or above `max` are refused as soon as the
 * length word arrives, so a hostile peer cannot make the reader buffer more than one maximal packet.
 */
export class PacketFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private expected = 0;

  constructor(private readonly max = PACKET_MAX) {}

  /** Bytes received that do not yet form a whole packet. */
  get pending(): number {
    return this.buffered;
  }

  /** Adds received bytes; returns the whole packets they complete, in order. Throws a VirError on a bad length. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const packets: Buffer[] = [];
    for (;;) {
      if (this.expected === 0) {
        if (this.buffered < 4) break;
        const len = this.peekLength();
        if (len < PACKET_MIN) throw xdrError(`packet length ${len} is less than the header size ${PACKET_MIN}`);
        if (len > this.max) throw xdrError(`packet length ${len} exceeds maximum ${this.max}`);
        this.expected = len;
      }
      if (this.buffered < this.expected) break;
      packets.push(this.take(this.expected));
      this.expected = 0;
    }
    return packets;
  }

  private peekLength(): number {
    if (this.chunks[0].length >= 4) return this.chunks[0].readUInt32BE(0);
    return Buffer.concat(this.chunks).readUInt32BE(0);
  }

  private take(n: number): Buffer {
    const whole = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const packet = whole.subarray(0, n);
    const rest = whole.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
    return packet;
  }
}

/** Decodes the header of one whole packet (length word included). */
export function decodePacket(bytes: Buffer): Packet {
  if (bytes.length < PACKET_MIN) throw xdrError(`packet of ${bytes.length} bytes is shorter than its header`);
  const len = bytes.readUInt32BE(0);
  if (len !== bytes.length) throw xdrError(`packet length word says ${len} bytes, packet has ${bytes.length}`);
  const r = new XdrReader(bytes, VIR_NET_MESSAGE_LEN_MAX, PACKET_MIN);
  const header = virNetMessageHeader.decode(r);
  return { header, payload: bytes.subarray(PACKET_MIN) };
}

/** What the payload of a packet that is not an error is, from its procedure and type. */
export type PayloadKind = { kind: 'xdr'; codec: Codec<any> | null } | { kind: 'data' } | { kind: 'hole' };

export function payloadKind(header: virNetMessageHeader, procedure: RpcProcedure): PayloadKind {
  switch (header.type) {
    case VIR_NET_CALL:
    case VIR_NET_CALL_WITH_FDS:
      return { kind: 'xdr', codec: procedure.args };
    case VIR_NET_REPLY:
    case VIR_NET_REPLY_WITH_FDS:
      return { kind: 'xdr', codec: procedure.ret };
    case VIR_NET_MESSAGE:
      return { kind: 'xdr', codec: procedure.msg };
    case VIR_NET_STREAM:
      return { kind: 'data' };
    case VIR_NET_STREAM_HOLE:
      return { kind: 'hole' };
    default:
      throw xdrError(`unknown packet type ${header.type}`);
  }
}

export type Payload =
  | { kind: 'xdr'; value: unknown }
  | { kind: 'error'; value: virNetMessageError }
  | { kind: 'data'; value: Buffer }
  | { kind: 'hole'; value: virNetStreamHole };

/** Decodes a packet's payload; an unknown program or procedure, or bad XDR, is a VirError. */
export function decodePayload(packet: Packet): Payload {
  // An error needs no procedure table: it answers calls of unknown programs and procedures too.
  if (packet.header.status === VIR_NET_ERROR) return { kind: 'error', value: decodeXdr(virNetMessageError, packet.payload) };
  const { prog, proc } = packet.header;
  const procedure = findProcedure(prog, proc);
  if (!procedure) throw xdrError(`unknown procedure ${proc} of program 0x${prog.toString(16)}`);
  const what = payloadKind(packet.header, procedure);
  switch (what.kind) {
    case 'data':
      return { kind: 'data', value: packet.payload };
    case 'hole':
      return { kind: 'hole', value: decodeXdr(virNetStreamHole, packet.payload) };
    case 'xdr':
      if (!what.codec) {
        if (packet.payload.length) throw xdrError(`${procedure.name} carries no payload, got ${packet.payload.length} bytes`);
        return { kind: 'xdr', value: undefined };
      }
      return { kind: 'xdr', value: decodeXdr(what.codec, packet.payload) };
  }
}

/** Encodes a payload decoded by decodePayload back into a packet with the given header. */
export function encodePayload(header: virNetMessageHeader, payload: Payload): Buffer {
  switch (payload.kind) {
    case 'error':
      return encodePacketWith(header, virNetMessageError, payload.value);
    case 'data':
      return encodeRawPacket(header, payload.value);
    case 'hole':
      return encodePacketWith(header, virNetStreamHole, payload.value);
    case 'xdr': {
      const procedure = findProcedure(header.prog, header.proc);
      if (!procedure) throw xdrError(`unknown procedure ${header.proc} of program 0x${header.prog.toString(16)}`);
      const what = payloadKind(header, procedure);
      return encodePacketWith(header, what.kind === 'xdr' ? what.codec : null, payload.value);
    }
  }
}
