import { buildSync } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeBytes } from '../../src/ts/xml/bytes.js';
import { loadCases } from '../conf/fixtures.js';
import type { Finding, Kind } from './parse-worker.js';
import { check } from './parse-worker.js';
import { seededRandom } from '../support/seeded-random.js';

/**
 * Seeded fuzzing of the domain, network, pool and volume parsers: mutations of the documents real libvirt was
 * measured on (test/fixtures/conf), plus one class of hostile input per defect class found so far. Each input
 * must be refused with a VirError carrying a libvirt code and domain, or accepted and printed so that it
 * reads back stably. The inputs run in a worker thread watched from here: an input that makes no progress
 * for HANG_MS is a hang (the budget is generous, it only catches inputs that never finish).
 *
 * A failure names the seed and input number; FUZZ_SEED=<n> reruns another seed.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const HANG_MS = 15_000;

const tmp = mkdtempSync(join(tmpdir(), 'tsvirt-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A file an external entity points at: its content must never show up anywhere. */
const SECRET = 'tsvirt-fuzz-secret-7f3a';
const secretFile = join(tmp, 'secret.txt');
writeFileSync(secretFile, SECRET);


const ROOT: Record<Kind, string> = { domain: 'domain', network: 'network', pool: 'pool', volume: 'volume' };
const FIXTURE: Record<Kind, string> = { domain: 'domains.json', network: 'networks.json', pool: 'pools.json', volume: 'volumes.json' };
const NUMBERS = ['0', '-1', '4294967295', '4294967296', '2147483648', '18446744073709551615', '18446744073709551616', '1e400', '+5', '0x10', '99999999999999999999999999', ' 7 ', ''];
const SIGNIFICANT = ['<', '>', '&', ';', "'", '"', '=', '/', ' ', '!', '-', '[', ']', '?', '#', 'x', '0', '9', '\n', '\r', '\t', '\0', ':', 'é', '\u{1F600}'];

function inputs(kind: Kind, count: number, rnd: () => number): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const int = (n: number) => Math.floor(rnd() * n);
  const docs = loadCases(FIXTURE[kind]).map((c) => c.xml).filter((x) => x.length < 20_000);
  const root = ROOT[kind];
  const classes: (() => string)[] = [
    // mutations of real documents
    () => {
      let s = pick(docs);
      for (let k = 1 + int(4); k > 0; k--) {
        const i = int(s.length + 1);
        const j = Math.min(s.length, i + int(40));
        switch (int(5)) {
          case 0: s = s.slice(0, i) + s.slice(j); break;
          case 1: s = s.slice(0, j) + s.slice(i, j) + s.slice(j); break;
          case 2: s = s.slice(0, i) + pick(SIGNIFICANT) + s.slice(i); break;
          case 3: s = s.replace(/\d+/g, (m) => (rnd() < 0.2 ? pick(NUMBERS) : m)); break;
          default: {
            // an element repeated, a classic for duplicate and count checks
            const m = /<([a-z]+)[^<>]*(?:\/>|>[^<>]*<\/\1>)/.exec(s.slice(i));
            if (m) s = s.slice(0, i + m.index) + m[0].repeat(1 + int(3)) + s.slice(i + m.index);
          }
        }
      }
      return s;
    },
    // number overflows in every number of a document
    () => pick(docs).replace(/\d+/g, () => pick(NUMBERS)),
    // invalid UTF-8: bytes past ASCII dropped into a real document (as tsvirsh reads it from a file)
    () => {
      const bytes = Buffer.from(pick(docs));
      for (let k = 1 + int(3); k > 0; k--) bytes[int(bytes.length)] = 0x80 + int(128);
      return decodeBytes(bytes);
    },
    // line ends: bare CR and CR LF (libxml2 counts lines on LF only)
    () => pick(docs).replace(/\n/g, () => pick(['\r', '\r\n', '\n', '\r\r'])),
    // emptied elements (`<allocation/>`), and a sign in front of numbers (`+5`)
    () => pick(docs).replace(/<([a-z]+)([^<>]*)>([^<>]*)<\/\1>/g, (all, name: string, attrs: string) => (rnd() < 0.3 ? `<${name}${attrs}/>` : all)),
    () => pick(docs).replace(/>(\d+)</g, (all, n: string) => (rnd() < 0.5 ? `>${pick(['+', '-', ' ', '0'])}${n}<` : all)),
    // namespaces: a prefixed root, a default namespace, a namespaced child
    () => {
      const doc = pick(docs);
      switch (int(3)) {
        case 0: return doc.replace(new RegExp(`<${root}\\b`), `<p:${root} xmlns:p='urn:fuzz'`).replace(new RegExp(`</${root}>\\s*$`), `</p:${root}>`);
        case 1: return doc.replace(new RegExp(`<${root}\\b`), `<${root} xmlns='urn:fuzz'`);
        default: return doc.replace(/<name>/, "<name xmlns='urn:fuzz'>");
      }
    },
    // storage permissions with every kind of number
    () => `<${root === 'volume' ? 'volume' : 'pool'}${root === 'volume' ? '' : " type='dir'"}><name>p1</name><capacity>1</capacity><target><path>/p1</path><permissions><mode>${pick(NUMBERS)}</mode><owner>${pick(NUMBERS)}</owner><group>${pick(NUMBERS)}</group></permissions></target></${root === 'volume' ? 'volume' : 'pool'}>`,
    // deep nesting
    () => `<${root}>${'<a>'.repeat(200 + int(400))}x${'</a>'.repeat(int(2) ? 200 : 0)}</${root}>`,
    // huge attribute values and names
    () => `<${root} type='${'x'.repeat(int(40) === 0 ? 10_000_001 : 1 + int(50_000))}'><name>n</name></${root}>`,
    () => `<${root}><${'n'.repeat(49_990 + int(20))}/></${root}>`,
    // entity expansion: billion laughs, and a loop
    () => {
      const levels = 3 + int(8);
      const ents = [`<!ENTITY l0 "lol">`];
      for (let i = 1; i < levels; i++) ents.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
      return `<!DOCTYPE ${root} [${ents.join('')}]><${root} a='&l${levels - 1};'><name>&l${levels - 1};</name></${root}>`;
    },
    () => `<!DOCTYPE ${root} [<!ENTITY a "&b;"><!ENTITY b "&a;">]><${root}><name>&a;</name></${root}>`,
    // external entities: must never be read
    () => {
      const use = pick(['<name>&ext;</name>', "<name>x</name><description>&ext;</description>", '&ext;']);
      return `<!DOCTYPE ${root} [<!ENTITY ext SYSTEM "file://${secretFile}">]><${root} type='test'>${use}<memory>1</memory><os><type>hvm</type></os></${root}>`;
    },
    () => `<!DOCTYPE ${root} SYSTEM "file://${secretFile}"><${root}/>`,
    () => `<!DOCTYPE ${root} [<!ENTITY % p SYSTEM "file://${secretFile}"> %p;]><${root}/>`,
    // counts that size loops or allocations
    () => {
      const n = pick(NUMBERS.concat(['16384', '16385', '4095', '4096', '65536', '100000']));
      const body = pick([
        `<iothreads>${n}</iothreads>`,
        `<vcpu current='${n}'>${pick(NUMBERS)}</vcpu>`,
        `<maxMemory slots='${n}' unit='KiB'>1024</maxMemory>`,
        `<devices><disk type='file' device='disk'><source file='/x'/><target dev='sd${'z'.repeat(int(12))}' bus='scsi'/></disk></devices>`,
        `<devices><disk type='file' device='disk'><source file='/x'/><target dev='sda' bus='${pick(['scsi', 'ide', 'sata', 'fdc'])}'/><address type='drive' controller='${n}' bus='0' target='0' unit='0'/></disk></devices>`,
        `<devices><controller type='scsi' index='${n}'/><serial type='pty'><target port='${n}'/></serial></devices>`,
      ]);
      return `<domain type='test'><name>f</name><memory>1024</memory><os><type>hvm</type></os>${body}</domain>`;
    },
    // many devices or ids (quadratic placement)
    () => {
      const n = 200 + int(1500);
      const each = pick([
        "<controller type='scsi'/>",
        "<interface type='network'><source network='default'/></interface>",
        "<serial type='pty'/>",
        "<disk type='file' device='disk'><source file='/x'/><target dev='hda'/></disk>",
      ]);
      return `<domain type='test'><name>f</name><memory>1024</memory><os><type>hvm</type></os><devices>${each.repeat(n)}</devices></domain>`;
    },
  ];
  return Array.from({ length: count }, (_, i) => (i < docs.length / 4 ? docs[i]! : classes[i % classes.length]!()));
}

/** The worker, bundled from parse-worker.ts (a worker thread cannot load TypeScript itself). */
const workerFile = join(tmp, 'parse-worker.mjs');
buildSync({
  entryPoints: [new URL('./parse-worker.ts', import.meta.url).pathname],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: workerFile,
  logLevel: 'error',
});

/** Runs the inputs in a worker; rejects naming the input that made no progress for HANG_MS. */
function runWatched(kind: Kind, list: string[]): Promise<Finding[]> {
  const progress = new SharedArrayBuffer(4);
  const at = new Int32Array(progress);
  const worker = new Worker(workerFile, { workerData: { kind, inputs: list, progress } });
  return new Promise((resolve, reject) => {
    let last = -1;
    let since = Date.now();
    const watchdog = setInterval(() => {
      const now = Atomics.load(at, 0);
      if (now !== last) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since > HANG_MS) {
        clearInterval(watchdog);
        void worker.terminate();
        reject(new Error(`seed ${SEED}: ${kind} input ${now} makes no progress: ${list[now]!.slice(0, 300)}`));
      }
    }, 250);
    worker.once('message', (findings: Finding[]) => {
      clearInterval(watchdog);
      void worker.terminate();
      resolve(findings);
    });
    worker.once('error', (err) => {
      clearInterval(watchdog);
      reject(err);
    });
  });
}

const COUNTS: Record<Kind, number> = { domain: 2000, network: 1000, pool: 800, volume: 800 };

describe(`seeded fuzzing of the XML parsers (seed ${SEED})`, () => {
  for (const kind of ['domain', 'network', 'pool', 'volume'] as const) {
    it(`${kind}: ${COUNTS[kind]} inputs, each refused with a libvirt error or read back stably`, async () => {
      const list = inputs(kind, COUNTS[kind], seededRandom(SEED + kind.length));
      const findings = await runWatched(kind, list);
      const report = findings.slice(0, 5).map((f) => `input ${f.index}: ${f.problem}\n  from: ${list[f.index]!.slice(0, 400)}`);
      expect(report).toEqual([]);
    }, 240_000);
  }

  it('external entities are never read', () => {
    for (const doc of [
      `<!DOCTYPE domain [<!ENTITY ext SYSTEM "file://${secretFile}">]><domain type='test'><name>&ext;</name><memory>1</memory><os><type>hvm</type></os></domain>`,
      `<!DOCTYPE domain [<!ENTITY ext SYSTEM "file://${secretFile}">]><domain type='test' a='&ext;'/>`,
      `<!DOCTYPE domain [<!ENTITY % p SYSTEM "file://${secretFile}"> %p;]><domain/>`,
    ]) {
      let seen = '';
      try {
        seen = check('domain', doc) ?? '';
      } catch (err) {
        seen = String(err);
      }
      expect(seen.includes(SECRET)).toBe(false);
    }
  });
});
