import { describe, expect, it } from 'vitest';
import { GROUPS } from '../../src/ts/cli/command-def.js';
import { allCommands, COMMAND_NAMES, findCommand, groupCommands } from '../../src/ts/cli/table.js';

describe('the command index (table.ts)', () => {
  it("names every command of each group, under its group, in its table's order, and nothing else", async () => {
    for (const { key } of GROUPS) {
      const commands = await groupCommands(key);
      expect(commands.map((c) => c.name), key).toEqual(COMMAND_NAMES[key]);
      expect(commands.filter((c) => c.group !== key).map((c) => c.name), key).toEqual([]);
    }
    expect(Object.keys(COMMAND_NAMES).sort()).toEqual(GROUPS.map((g) => g.key).sort());
  });

  it('names each command once', () => {
    const names = Object.values(COMMAND_NAMES).flat();
    expect(names.length).toBeGreaterThan(60);
    expect(new Set(names).size).toBe(names.length);
  });

  it('finds each command in its group, and nothing for other names', async () => {
    const all = await allCommands();
    expect(all.map((c) => c.group)).toEqual(GROUPS.flatMap((g) => COMMAND_NAMES[g.key].map(() => g.key)));
    for (const def of all) expect(await findCommand(def.name)).toBe(def);
    for (const name of ['nosuch', '', 'toString', '__proto__', 'domain', 'List']) expect(await findCommand(name)).toBeUndefined();
  });
});
