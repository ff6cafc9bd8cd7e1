/**
 * Random bytes and UUIDs from node:crypto, loaded on first use: importing it eagerly sets up WebCrypto,
 * which costs every process (tsvirsh's start included) several milliseconds it rarely needs.
 */
const load = () => process.getBuiltinModule('node:crypto');

export const randomBytes = (size: number): Buffer => load().randomBytes(size);
export const randomUUID = (): string => load().randomUUID();
