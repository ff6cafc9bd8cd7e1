import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCc, hasRealLibvirt, Workspace, type Result } from './harness.js';

// c/invalid-handles.c calls every entry point that takes a handle with handles that are not valid and prints
// "CALL | VARIANT | RESULT | CODE DOMAIN MESSAGE" per call.

/** Lines where tsvirt's TypeScript entry points differ from libvirt 9.0 (reported; not the C ABI's doing). */
const KNOWN_DIFFERENCES = new Map([
  // libvirt reports this one from VIR_FROM_NONE, every other connection check from the caller's module.
  ['virConnectClose(H)', 'api/check.ts checkConnect: libvirt uses domain 0 for virConnectClose'],
]);

interface Line {
  call: string;
  variant: string;
  answer: string;
}

function parse(output: string): Line[] {
  return output
    .split('\n')
    .filter((line) => line.includes(' | '))
    .map((line) => {
      const [call, variant, ...answer] = line.split(' | ');
      return { call: call!, variant: variant!, answer: answer.join(' | ') };
    });
}

describe.skipIf(!hasCc)('handles that are not valid', () => {
  const ws = new Workspace();
  let tsvirt: Result;

  beforeAll(async () => {
    tsvirt = await ws.runTsvirt(ws.buildForTsvirt('invalid-handles.c'), ['all']);
  });
  afterAll(() => ws.dispose());

  it('never crash, and every handle is released in the end', () => {
    expect(tsvirt.stderr).toBe('');
    expect(tsvirt.signal).toBeNull();
    expect(tsvirt.status).toBe(0);
    expect(tsvirt.stdout).toMatch(/^close: 0$/m);
  });

  it('get the same answer as NULL: freed (double free included), foreign, misaligned, of another kind', () => {
    const lines = parse(tsvirt.stdout);
    const calls = new Map<string, Map<string, string>>();
    for (const { call, variant, answer } of lines) {
      if (!calls.has(call)) calls.set(call, new Map());
      calls.get(call)!.set(variant, answer);
    }
    // Every public function that takes a handle, each in seven ways.
    expect(calls.size).toBeGreaterThanOrEqual(160);
    for (const [call, variants] of calls) {
      expect([...variants.keys()].sort(), call).toEqual(['freed', 'heap', 'inside', 'junk', 'kind', 'null', 'wild']);
      const expected = variants.get('null');
      for (const [variant, answer] of variants) expect(`${call} ${variant}: ${answer}`).toBe(`${call} ${variant}: ${expected}`);
    }
  });

  it('report the error of each kind of handle', () => {
    const answers = new Map(parse(tsvirt.stdout).filter((l) => l.variant === 'null').map((l) => [l.call, l.answer]));
    expect(answers.get('virDomainFree(H)')).toBe('-1 | 7 6 invalid domain pointer in virDomainFree');
    expect(answers.get('virNetworkGetName(H)')).toBe('0 | 36 19 invalid network pointer in virNetworkGetName');
    expect(answers.get('virStoragePoolRef(H)')).toBe('-1 | 46 18 invalid storage pool pointer in virStoragePoolRef');
    expect(answers.get('virStorageVolGetKey(H)')).toBe('0 | 47 18 invalid storage volume pointer in virStorageVolGetKey');
    expect(answers.get('virJobFree(H)')).toBe('-1 | 8 20 invalid job pointer in virJobFree');
    expect(answers.get('virDomainGetID(H)')).toBe('4294967295 | 7 6 invalid domain pointer in virDomainGetID');
    // The error functions fail quietly, as libvirt's do.
    expect(answers.get('virConnGetLastError(H)')).toBe('0 | 0 0 (none)');
    expect(answers.get('virConnCopyLastError(H, &error)')).toBe('-1 | 0 0 (none)');
  });

  it.skipIf(!hasRealLibvirt)('answer NULL exactly as libvirt 9.0 does', async () => {
    const real = await ws.runLibvirt(ws.buildForLibvirt('invalid-handles.c'), ['null']);
    expect(real.status).toBe(0);
    const ours = new Map(parse(tsvirt.stdout).filter((l) => l.variant === 'null').map((l) => [l.call, l.answer]));
    const theirs = parse(real.stdout);
    expect(theirs.length).toBeGreaterThanOrEqual(130);
    for (const { call, answer } of theirs) {
      if (KNOWN_DIFFERENCES.has(call)) continue;
      expect(`${call}: ${ours.get(call)}`).toBe(`${call}: ${answer}`);
    }
  });
});
