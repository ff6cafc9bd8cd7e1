import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDomainXML } from '../../src/ts/conf/domain.js';
import { formatNetworkXML } from '../../src/ts/conf/network.js';
import { formatPoolXML, formatVolumeXML } from '../../src/ts/conf/storage.js';
import { loadTestNode, type TestNode } from '../../src/ts/conf/test-node.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { maskGenerated } from './fixtures.js';

interface NodeCase {
  name: string;
  files: Record<string, string>;
  config?: string;
  expect: NodeExpect;
  /** Why tsvirt knowingly shows something else: it must still load (or refuse) the file as libvirt does. */
  difference?: string;
}

type NodeExpect =
  | { error: { code: number; domain: number; message: string } }
  | {
      nodeInfo: { model: string; memoryMiB: number; cpus: number; mhz: number; nodes: number; sockets: number; cores: number; threads: number };
      domains: { name: string; id: number; state: number; persistent: boolean; hasManagedSave: boolean; xml: string; inactiveXml: string }[];
      networks: string[];
      pools: { xml: string; volumes: string[] }[];
    };

const fixture = JSON.parse(readFileSync(new URL('../fixtures/conf/test-node.json', import.meta.url), 'utf8')) as {
  base: string;
  cases: NodeCase[];
};

/** Every case's files, where the capture script wrote them, so absolute `file=` paths work too. */
const files = new Map<string, string>();
for (const c of fixture.cases) {
  for (const [rel, content] of Object.entries(c.files)) files.set(`${fixture.base}/${c.name}/${rel}`, content);
}

/** Reads the in-memory copy, failing as fs would for missing files and folders. */
function readFile(path: string): string {
  const content = files.get(path);
  if (content !== undefined) return content;
  const isFolder = [...files.keys()].some((p) => p.startsWith(path.endsWith('/') ? path : `${path}/`));
  throw Object.assign(new Error(path), { code: isFolder ? 'EISDIR' : 'ENOENT' });
}

function configOf(c: NodeCase): string {
  const config = c.config ?? 'node.xml';
  return config.startsWith('/') ? config : `${fixture.base}/${c.name}/${config}`;
}

/** What a connection to the loaded configuration would show, in the fixture's terms. */
function describeNode(node: TestNode, inputs: string): NodeExpect {
  const byName = <T>(items: T[], name: (t: T) => string) => [...items].sort((a, b) => (name(a) < name(b) ? -1 : 1));
  return {
    nodeInfo: (({ memory, ...rest }) => ({ ...rest, memoryMiB: Math.floor(memory / 1024) }))(node.nodeInfo),
    domains: byName(node.domains, (d) => d.def.name).map((d) => ({
      name: d.def.name,
      id: d.id,
      state: d.state,
      persistent: d.persistent,
      hasManagedSave: d.hasManagedSave,
      xml: maskGenerated(formatDomainXML(d.def, { id: d.id }), inputs),
      inactiveXml: maskGenerated(formatDomainXML(d.persistentDef, { inactive: true }), inputs),
    })),
    networks: byName(node.networks, (n) => n.name).map((n) => maskGenerated(formatNetworkXML(n), inputs)),
    pools: byName(node.pools, (p) => p.def.name).map((p) => ({
      xml: maskGenerated(formatPoolXML(p.def), inputs),
      volumes: byName(p.volumes, (v) => v.name).map(formatVolumeXML),
    })),
  };
}

/** UUIDs in a message that libvirt generated (not among the inputs), which cannot match ours. */
function maskMessage(message: string, inputs: string): string {
  const given = inputs.toLowerCase().replace(/-/g, '');
  return message.replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, (u) => (given.includes(u.replace(/-/g, '')) ? u : '(generated)'));
}

function masked(e: NodeExpect, inputs: string): NodeExpect {
  if ('error' in e) return { error: { ...e.error, message: maskMessage(e.error.message, inputs) } };
  return {
    ...e,
    nodeInfo: e.nodeInfo.memoryMiB < 0 ? { ...e.nodeInfo, memoryMiB: expect.any(Number) as never } : e.nodeInfo,
    domains: e.domains.map((d) => ({ ...d, xml: maskGenerated(d.xml, inputs), inactiveXml: maskGenerated(d.inactiveXml, inputs) })),
    networks: e.networks.map((n) => maskGenerated(n, inputs)),
    pools: e.pools.map((p) => ({ ...p, xml: maskGenerated(p.xml, inputs) })),
  };
}

describe('test-driver configuration files (fixture from real libvirt connections)', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const inputs = Object.values(c.files).join('\n');
    let actual: NodeExpect;
    try {
      actual = describeNode(loadTestNode(configOf(c), { readFile }), inputs);
    } catch (err) {
      if (!(err instanceof VirError)) throw err;
      actual = { error: { code: err.code, domain: err.domain, message: maskMessage(err.message, inputs) } };
    }
    if (c.difference === undefined) expect(actual).toEqual(masked(c.expect, inputs));
    else expect('error' in actual).toBe('error' in c.expect);
  });
});

describe('loadTestNode', () => {
  it('reproduces transcript 37 (node.xml: two running domains, two networks, an empty pool)', () => {
    const c = fixture.cases.find((k) => k.name === 'reference-node')!;
    const node = loadTestNode(configOf(c), { readFile });
    expect(node.domains.map((d) => [d.id, d.def.name, d.state])).toEqual([
      [1, 'fv0', 1],
      [2, 'fc4', 1],
    ]);
    expect(node.networks.map((n) => n.name)).toEqual(['private', 'default']);
    expect(node.pools.map((p) => [p.def.name, p.volumes.length])).toEqual([['default-pool', 0]]);
  });

  it('reports a missing configuration as transcript 23 does', () => {
    try {
      loadTestNode('/nonexistent/file.xml', { readFile });
      expect.unreachable();
    } catch (err) {
      const e = err as VirError;
      expect([e.code, e.domain, e.message]).toEqual([
        ErrorNumber.VIR_ERR_XML_ERROR,
        ErrorDomain.VIR_FROM_TEST,
        "XML error: failed to parse xml document '/nonexistent/file.xml'",
      ]);
    }
  });

  it('reads real files by default', () => {
    const c = fixture.cases.find((k) => k.name === 'reference-node')!;
    const dir = mkdtempSync(join(tmpdir(), 'tsvirt-conf-'));
    try {
      for (const [name, content] of Object.entries(c.files)) writeFileSync(join(dir, name), content);
      expect(loadTestNode(join(dir, 'node.xml')).domains.map((d) => d.def.name)).toEqual(['fv0', 'fc4']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
