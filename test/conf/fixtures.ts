import { readFileSync } from 'node:fs';
import { VirError } from '../../src/ts/errors/index.js';

/** What real libvirt did with one input: the XML it printed, or its error. */
export type Expected = { xml: string } | { code: number; domain: number; message: string };

export interface DefineCase {
  xml: string;
  expect: Expected;
  /** Why tsvirt knowingly prints something else (an element it does not model). */
  difference?: string;
}

export function loadCases(file: string): DefineCase[] {
  return (JSON.parse(readFileSync(new URL(`../fixtures/conf/${file}`, import.meta.url), 'utf8')) as { cases: DefineCase[] }).cases;
}

/**
 * UUIDs and MAC addresses libvirt made up cannot match ours: where the input has none, both sides show a
 * placeholder instead.
 */
export function maskGenerated(output: string, input: string): string {
  const given = input.toLowerCase().replace(/[-\s]/g, '');
  return output
    .replace(/<uuid>([^<]*)<\/uuid>/g, (all, uuid: string) => (given.includes(uuid.replace(/-/g, '')) ? all : '<uuid>(generated)</uuid>'))
    .replace(/52:54:00(:[0-9a-f]{2}){3}/g, (mac) => (input.toLowerCase().includes(mac) ? mac : '52:54:00:(generated)'));
}

/** Runs `produce` on a case's input and gives what the fixture would have recorded for it. */
export function outcome(input: string, produce: (xml: string) => string): Expected {
  try {
    return { xml: maskGenerated(produce(input), input) };
  } catch (err) {
    if (!(err instanceof VirError)) throw err;
    return { code: err.code, domain: err.domain, message: err.message };
  }
}

export function expected(c: DefineCase): Expected {
  return 'xml' in c.expect ? { xml: maskGenerated(c.expect.xml, c.xml) } : c.expect;
}

/** A short label for a case in test names. */
export function label(xml: string): string {
  return xml.replace(/\s+/g, ' ').slice(0, 120);
}
