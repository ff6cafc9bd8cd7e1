import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as connect from '../../src/ts/api/connect.js';
import * as domain from '../../src/ts/api/domain.js';
import * as jobs from '../../src/ts/api/job.js';
import type { VirConnect, VirDomain } from '../../src/ts/core/handles.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { JobState, type VirJob } from '../../src/ts/jobs/job.js';
import { REFERENCE } from '../reference.js';
import { seededRandom } from '../support/seeded-random.js';

/**
 * Save images mutated, truncated and grown at random (seeded, so a failure replays) through restore: each
 * either restores or fails with a VirError in libvirt's codes and domains for that step (reading the file,
 * checking the header, parsing the XML, fitting the domain in), never a crash, a hang or a foreign exception.
 */
const SEED = 0x5eed1;
const CASES = 3000;
const IMAGE = readFileSync(join(REFERENCE, 'files/test-domain.save'));
const XML = IMAGE.subarray(19);
const { VIR_FROM_TEST, VIR_FROM_DOMAIN } = ErrorDomain;

/**
 * What restore may answer for a bad image, code and domain together: the pairs libvirt 9.0 answers for the
 * same kinds of damage (each one seen from libvirt with an image from this generator).
 */
const E = ErrorNumber;
const EXPECTED = new Set([
  `${E.VIR_ERR_SYSTEM_ERROR}/${VIR_FROM_TEST}`, // incomplete save header, metadata length, metadata
  `${E.VIR_ERR_INTERNAL_ERROR}/${VIR_FROM_TEST}`, // mismatched header magic, length of metadata out of range
  `${E.VIR_ERR_XML_DETAIL}/${VIR_FROM_DOMAIN}`, // libxml2: well-formedness, UTF-8
  `${E.VIR_ERR_XML_DETAIL}/${ErrorDomain.VIR_FROM_XML}`, // invalid char in name
  `${E.VIR_ERR_XML_ERROR}/${VIR_FROM_DOMAIN}`, // unable to parse mac address
  `${E.VIR_ERR_XML_ERROR}/${ErrorDomain.VIR_FROM_XML}`, // Invalid value '-1' for element or attribute
  `${E.VIR_ERR_INTERNAL_ERROR}/${VIR_FROM_DOMAIN}`, // CPU IDs in <numa> exceed the <vcpu> count
  `${E.VIR_ERR_CONFIG_UNSUPPORTED}/${VIR_FROM_DOMAIN}`, // unknown on_crash action
  `${E.VIR_ERR_INVALID_ARG}/${ErrorDomain.VIR_FROM_NONE}`, // unknown suffix 'KaB'
  `${E.VIR_ERR_NO_NAME}/${VIR_FROM_DOMAIN}`, // missing name information
  `${E.VIR_ERR_NO_SOURCE}/${VIR_FROM_DOMAIN}`, // missing source information for device
  `${E.VIR_ERR_NO_TARGET}/${VIR_FROM_DOMAIN}`, // missing target information for device
  `${E.VIR_ERR_OPERATION_INVALID}/${VIR_FROM_DOMAIN}`, // domain is already active
  `${E.VIR_ERR_OPERATION_FAILED}/${VIR_FROM_DOMAIN}`, // already exists / already defined with uuid
]);


function withLength(xml: Buffer, length: number): Buffer {
  const field = Buffer.alloc(4);
  field.writeInt32LE(length | 0);
  return Buffer.concat([IMAGE.subarray(0, 15), field, xml]);
}

const SPECIAL = ['<', '>', '&', '"', "'", '\0', '\xff', '\xc3', '&#0;', '&x;', ']]>', '<!--', '<?', '<!DOCTYPE a [<!ENTITY x "y">]>', '\n', '\r'];

function mutate(rand: () => number): Buffer {
  const pick = (n: number) => Math.floor(rand() * n);
  const image = Buffer.from(IMAGE);
  switch (pick(9)) {
    case 0: // bit flips anywhere
      for (let i = 0, n = 1 + pick(8); i < n; i++) image[pick(image.length)]! ^= 1 << pick(8);
      return image;
    case 1: // truncated
      return image.subarray(0, pick(image.length));
    case 2: // a length field that lies
      return withLength(XML, [0, -1, 1, 8192, 8193, 2 ** 31 - 1, -(2 ** 31), XML.length - 1, XML.length + 1, pick(20000) - 5000][pick(10)]!);
    case 3: // XML-special text spliced in
      {
        const at = pick(XML.length);
        const xml = Buffer.concat([XML.subarray(0, at), Buffer.from(SPECIAL[pick(SPECIAL.length)]!, 'latin1'), XML.subarray(at + pick(4))]);
        return withLength(xml, xml.length);
      }
    case 4: // a slice of the XML dropped
      {
        const at = pick(XML.length);
        const xml = Buffer.concat([XML.subarray(0, at), XML.subarray(at + 1 + pick(40))]);
        return withLength(xml, xml.length);
      }
    case 5: // grown past libvirt's bound, or with trailing data
      return Buffer.concat([image, Buffer.alloc(pick(70000), pick(256))]);
    case 6: // random bytes after a valid header
      {
        const xml = Buffer.from(Array.from({ length: pick(9000) }, () => pick(256)));
        return withLength(xml, rand() < 0.5 ? xml.length : pick(9000));
      }
    case 7: // pure noise
      return Buffer.from(Array.from({ length: pick(64) }, () => pick(256)));
    default: // numbers and names out of range
      {
        const replacements: [RegExp, string][] = [
          [/<memory unit='KiB'>\d+/, `<memory unit='KiB'>${['-1', '18446744073709551616', '99999999999999999999999', '0', 'x'][pick(5)]}`],
          [/<vcpu placement='static'>\d+/, `<vcpu placement='static'>${['0', '4294967296', '-3', '65536'][pick(4)]}`],
          [/<name>test<\/name>/, `<name>${['', 'a'.repeat(5000), 'x\ny', 'vm/1'][pick(4)]}</name>`],
          [/<uuid>[^<]*<\/uuid>/, `<uuid>${['', 'nope', '00000000-0000-0000-0000-000000000000'][pick(3)]}</uuid>`],
        ];
        const [pattern, text] = replacements[pick(replacements.length)]!;
        const xml = Buffer.from(XML.toString('utf8').replace(pattern, text), 'utf8');
        return withLength(xml, xml.length);
      }
  }
}

let conn: VirConnect;
let dir: string;
beforeAll(() => {
  conn = connect.virConnectOpen('test:///default') as VirConnect;
  dir = mkdtempSync(join(tmpdir(), 'tsvirt-fuzz-'));
});
afterAll(() => {
  while (conn.alive) conn.unref();
  rmSync(dir, { recursive: true, force: true });
});

it(`${CASES} mutated save images restore or fail with libvirt's errors`, async () => {
  domain.virDomainDestroy(domain.virDomainLookupByName(conn, 'test') as VirDomain); // room for a valid one
  const rand = seededRandom(SEED);
  const path = join(dir, 'image');
  const seen = new Map<string, number>();
  let restored = 0;
  for (let n = 0; n < CASES; n++) {
    const image = mutate(rand);
    writeFileSync(path, image);
    const job = (await domain.virDomainRestoreJob(conn, path, 0)) as VirJob;
    await job.whenDone();
    if (job.state === JobState.COMPLETED) {
      restored++;
      const dom = jobs.virJobGetDomain(job)!;
      domain.virDomainDestroy(dom);
      domain.virDomainFree(dom);
    } else {
      const err = job.error;
      const where = `case ${n}: ${image.toString('base64').slice(0, 200)}`;
      expect(err, where).toBeInstanceOf(VirError);
      const key = `${err!.code}/${err!.domain}`;
      expect(EXPECTED.has(key) ? key : `${key} ${err!.message}`, where).toBe(key);
      expect(err!.message, where).not.toMatch(/undefined|NaN|TypeError|Cannot read|is not a function|\[object /);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    jobs.virJobFree(job);
  }
  // Every step of the reading was reached, and some images were still good.
  expect(seen.get(`${ErrorNumber.VIR_ERR_SYSTEM_ERROR}/${VIR_FROM_TEST}`)).toBeGreaterThan(0);
  expect(seen.get(`${ErrorNumber.VIR_ERR_INTERNAL_ERROR}/${VIR_FROM_TEST}`)).toBeGreaterThan(0);
  expect(seen.get(`${ErrorNumber.VIR_ERR_XML_DETAIL}/${VIR_FROM_DOMAIN}`)).toBeGreaterThan(0);
  expect(restored).toBeGreaterThan(0);
});
