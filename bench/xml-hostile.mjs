#!/usr/bin/env node
// The XML parser against hostile documents (src/ts/xml): how long each takes to be refused or parsed.
// test/xml/parser.test.ts checks what the parser answers; how fast it answers is measured here, not
// asserted there (machines are noisy). A quadratic or exponential path would show as seconds or a hang.
// Targets: each case < 2 s (the huge-attribute case < 5 s).
// Run: node bench/xml-hostile.mjs
import { readFileSync } from 'node:fs';
import { bundleSources, fmt, median, workDirFor } from './lib/files.mjs';
import { rm } from 'node:fs/promises';

const ROUNDS = 3;
const lol = '<!ENTITY lol0 "lol">' + Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join('');
const attrs = Array.from({ length: 50_000 }, (_, i) => `a${i}="${i}"`).join(' ');
const cases = [
  ['deep nesting (1,000,000 open elements)', '<a>'.repeat(1_000_000), 2000],
  ['billion laughs', `<!DOCTYPE d [${lol}]><d a="x">&lol9;</d>`, 2000],
  ['quadratic blowup (100 kB entity used 200 times)', `<!DOCTYPE d [<!ENTITY big "${'x'.repeat(100_000)}">]><d>${'&big;'.repeat(200)}</d>`, 2000],
  ['50,000 attributes', `<d ${attrs}/>`, 5000],
  ['one 9 MB attribute', `<d a="${'y'.repeat(9_000_000)}"/>`, 5000],
];

const workDir = await workDirFor('xml-hostile');
try {
  const xml = await bundleSources(workDir, 'xml', "export * from './src/ts/xml/index.ts'; export * from './src/ts/errors/index.ts';");
  const opts = { docName: 'domain_definition', errorDomain: xml.ErrorDomain.VIR_FROM_DOMAIN };
  const rows = cases.map(([what, doc, targetMs]) => {
    const times = [];
    let answer = '';
    for (let i = 0; i < ROUNDS; i++) {
      const t0 = performance.now();
      try {
        xml.parseXml(doc, opts);
        answer = 'parsed';
      } catch (err) {
        answer = String(err.message).split('\n')[0];
      }
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    return { what, 'median ms': fmt(ms, 1), answer: answer.slice(0, 70), target: `< ${targetMs} ms`, ok: ms < targetMs };
  });
  console.log(`node ${process.version}, ${new Date().toISOString()}, load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
  console.table(rows);
} finally {
  await rm(workDir, { recursive: true, force: true });
}
