import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCc, hasRealLibvirt, Workspace, type Result } from './harness.js';

// c/utf8.c: C strings that are not UTF-8 (XML documents, names, keys, paths, a URI, a UUID). koffi would
// decode each bad sequence as U+FFFD, making different byte strings one name; instead each gets libvirt's
// answer, with the caller's bytes in the message (printed as \xNN).

const lines = (result: Result) => result.stdout.trimEnd().split('\n');

describe.skipIf(!hasCc)('C strings that are not UTF-8', () => {
  const ws = new Workspace();
  const scratch = mkdtempSync(join(tmpdir(), 'tsvirt-utf8-'));
  let tsvirt: Result;
  beforeAll(async () => {
    tsvirt = await ws.runTsvirt(ws.buildForTsvirt('utf8.c'), [scratch]);
  });
  afterAll(() => {
    ws.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('are refused in XML documents with libxml2’s error, the bytes and a caret', () => {
    expect(tsvirt.stderr).toBe('');
    expect(tsvirt.status).toBe(0);
    expect(lines(tsvirt)).toContain(
      "define: name ff | 0 | 35 20 (domain_definition):1: Input is not proper UTF-8, indicate encoding !\\nBytes: 0xFF 0x3C 0x2F 0x6E\\n" +
        "<domain type='test'><name>vm\\xff</name><memory>1024</memory><os><type>hvm</type></os></domain>\\n----------------------------^",
    );
    expect(lines(tsvirt)).toContain(
      'define: tab | 0 | 35 20 (domain_definition):2: Input is not proper UTF-8, indicate encoding !\\nBytes: 0xE9 0x3C 0x2F 0x6E\\n' +
        '\\x09<name>v\\xc3\\xa9m\\xe9</name>\\n\\x09----------^',
    );
    expect(lines(tsvirt)).toContain('define: valid U+FFFD | 1 | ok');
  });

  it('reach lookups as the caller’s bytes, never as another name', () => {
    expect(lines(tsvirt)).toContain("lookup: pool | 0 | 49 12 Storage pool not found: no storage pool with matching name 'p\\xff'");
    expect(lines(tsvirt)).toContain('open | 0 | 1 45 internal error: Unable to parse URI test:///default\\xff');
  });

  it('are refused as file names, so that no two names write one file', () => {
    expect(lines(tsvirt)).toContain('save | -1 | 8 20 invalid argument: to in virDomainSave must be valid UTF-8: tsvirt names files with text');
    expect(lines(tsvirt)).toContain(
      'restore | -1 | 8 20 invalid argument: from in virDomainRestore must be valid UTF-8: tsvirt names files with text',
    );
    expect(lines(tsvirt)).toContain('dump | -1 | 8 20 invalid argument: to in virDomainCoreDump must be valid UTF-8: tsvirt names files with text');
    expect(readdirSync(scratch)).toEqual([]);
  });

  it.skipIf(!hasRealLibvirt)('get libvirt’s answers byte for byte', async () => {
    const libvirt = await ws.runLibvirt(ws.buildForLibvirt('utf8.c'), [scratch]);
    expect(libvirt.status).toBe(0);
    // The file-name calls run against tsvirt only (see docs/compatibility.md).
    expect(lines(tsvirt).slice(0, lines(libvirt).length)).toEqual(lines(libvirt));
  });
});
