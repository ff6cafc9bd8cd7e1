// Runs in a project that installed the packed tarball: the idiomatic API saves the test driver's domain
// and restores it. Prints what it observed as JSON for pack.test.ts to check.
import { closeSync, openSync, readSync } from 'node:fs';
import { connect } from 'tsvirt';

const [savePath] = process.argv.slice(2);
const conn = await connect('test:///default');
const dom = await conn.lookupDomain('test');
const before = (await dom.state()).name;
await dom.save(savePath);
const afterSave = (await dom.state()).name;
const restored = await conn.restore(savePath);
const afterRestore = (await restored.state()).name;

const header = Buffer.alloc(15);
const fd = openSync(savePath, 'r');
readSync(fd, header, 0, header.length, 0);
closeSync(fd);

await conn.close();
console.log(JSON.stringify({ type: conn.type, before, afterSave, afterRestore, magic: header.toString('latin1') }));
