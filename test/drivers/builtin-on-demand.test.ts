import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { onDemandDrivers as shellDrivers } from '../../src/ts/drivers/builtin-on-demand.js';
import { builtinDrivers } from '../../src/ts/drivers/builtin.js';
import type { ConnectionDrivers } from '../../src/ts/drivers/driver.js';

/** The shell's driver list (builtin-on-demand.ts, loaded on first open) must stay the library's (builtin.ts). */
describe("the built-in drivers loaded on demand (the shell's)", () => {
  const root = mkdtempSync(join(tmpdir(), 'tsvirt-shell-drivers-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('are the built-in drivers, in the same order', () => {
    expect(shellDrivers.map((d) => d.name)).toEqual(builtinDrivers.map((d) => d.name));
  });

  it('claim exactly the URIs the built-in drivers claim', () => {
    const uris = [
      'test:///default', 'test:///tmp/node.xml', 'test://localhost/default', 'test://host/default', 'test+unix:///default',
      'tsvirt:///session', `tsvirt:///embed?root=${root}`, 'tsvirt://localhost/session', 'tsvirt+unix:///session',
      'qemu:///session', 'qemu+unix:///system', 'lxc:///', 'TEST:///default',
    ];
    for (const text of uris) {
      const uri = new URL(text);
      expect(shellDrivers.map((d) => d.accepts(uri)), text).toEqual(builtinDrivers.map((d) => d.accepts(uri)));
    }
  });

  it('open what the built-in drivers open, asynchronously, loading each driver once', async () => {
    const flags = 0;
    for (const text of ['test:///default', `tsvirt:///embed?root=${root}`]) {
      const uri = new URL(text);
      const index = builtinDrivers.findIndex((d) => d.accepts(uri));
      const pending = shellDrivers[index]!.open(uri, flags);
      expect(pending).toBeInstanceOf(Promise);
      const shell = (await pending) as ConnectionDrivers;
      const library = (await builtinDrivers[index]!.open(uri, flags)) as ConnectionDrivers;
      expect(shell.uri).toBe(library.uri);
      expect(Object.getPrototypeOf(shell.hypervisor)).toBe(Object.getPrototypeOf(library.hypervisor));
      const again = (await shellDrivers[index]!.open(uri, flags)) as ConnectionDrivers;
      expect(Object.getPrototypeOf(again.hypervisor)).toBe(Object.getPrototypeOf(library.hypervisor));
      for (const c of [shell, library, again]) c.close();
    }
  });

  it("fail as the built-in drivers fail, as a rejection", async () => {
    const uri = new URL('test:///no/such/file.xml');
    let expected: unknown;
    try {
      await builtinDrivers[0]!.open(uri, 0);
    } catch (err) {
      expected = err;
    }
    expect(expected).toBeInstanceOf(Error);
    await expect(shellDrivers[0]!.open(uri, 0)).rejects.toEqual(expected);
  });
});
