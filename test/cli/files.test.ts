import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBytes } from '../../src/ts/xml/bytes.js';
import { runInProcess } from './harness.js';

/** XML file arguments as virsh 9.0 reads them (outputs measured with the real virsh). */
const dir = mkdtempSync(join(tmpdir(), 'tsvirsh-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LIMIT = 10 * 1024 * 1024;
const tooLarge = (path: string) => `error: Failed to read file '${path}': Value too large for defined data type\n`;

describe('files larger than virsh reads are refused without being read whole', () => {
  it.each([
    ['define', '/dev/zero'],
    ['create', '/dev/urandom'],
    ['net-define', '/dev/zero'],
    ['pool-define', '/dev/urandom'],
  ])('%s %s', async (command, path) => {
    const r = await runInProcess(['-c', 'test:///default', command, path]);
    expect(r).toEqual({ status: 1, stdout: '\n', stderr: tooLarge(path) });
  });

  it('vol-create default-pool /dev/zero', async () => {
    const r = await runInProcess(['-c', 'test:///default', 'vol-create', 'default-pool', '/dev/zero']);
    expect(r).toEqual({ status: 1, stdout: '\n', stderr: tooLarge('/dev/zero') });
  });

  it('a 20 MiB file, and one byte over 10 MiB, are refused; 10 MiB exactly is read', async () => {
    for (const size of [20 * 1024 * 1024, LIMIT + 1]) {
      const path = join(dir, `big-${size}.xml`);
      writeFileSync(path, Buffer.alloc(size, 0x20));
      expect(await runInProcess(['-c', 'test:///default', 'define', path])).toEqual({ status: 1, stdout: '\n', stderr: tooLarge(path) });
    }
    const path = join(dir, 'limit.xml');
    writeFileSync(path, Buffer.concat([Buffer.from('<nosuch/>'), Buffer.alloc(LIMIT - 9, 0x20)]));
    const r = await runInProcess(['-c', 'test:///default', 'define', path]);
    expect(r.stderr).toBe(`error: Failed to define domain from ${path}\nerror: XML error: expecting root element of 'domain', not 'nosuch'\n`);
  });
});

describe('files that are not UTF-8', () => {
  it('reach the XML parser byte for byte, and its error prints them unchanged', async () => {
    const path = join(dir, 'latin1.xml');
    writeFileSync(path, Buffer.from("<domain type='test'>\n  <name>vm\xff</name><memory>1024</memory><os><type>hvm</type></os></domain>", 'latin1'));
    const r = await runInProcess(['-c', 'test:///default', 'define', path]);
    expect(r.status).toBe(1);
    expect(encodeBytes(r.stderr).toString('latin1')).toBe(
      `error: Failed to define domain from ${path}\n` +
        'error: (domain_definition):2: Input is not proper UTF-8, indicate encoding !\nBytes: 0xFF 0x3C 0x2F 0x6E\n' +
        '  <name>vm\xff</name><memory>1024</memory><os><type>hvm</type></os></domain>\n----------^\n',
    );
  });
});
