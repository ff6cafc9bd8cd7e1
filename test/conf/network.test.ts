import { describe, expect, it } from 'vitest';
import { formatNetworkXML, parseNetworkXML } from '../../src/ts/conf/network.js';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { expected, label, loadCases, outcome } from './fixtures.js';

const cases = loadCases('networks.json');
const define = (xml: string) => formatNetworkXML(parseNetworkXML(xml));

describe('networks as libvirt 9.0 defines them (fixture from the real test driver)', () => {
  const exact = cases.filter((c) => c.difference === undefined);
  it.each(exact.map((c) => [label(c.xml), c] as const))('%s', (_name, c) => {
    expect(outcome(c.xml, define)).toEqual(expected(c));
  });
  const partial = cases.filter((c) => c.difference !== undefined);
  it.each(partial.map((c) => [label(c.xml), c] as const))('%s (not modelled)', (_name, c) => {
    expect('xml' in outcome(c.xml, define)).toBe('xml' in c.expect);
  });
});

describe('network definitions', () => {
  it('reproduce transcript 19 (net1.xml, printed after net-create)', () => {
    const def = parseNetworkXML(
      "<network>\n  <name>net1</name>\n  <bridge name='virbr1'/>\n  <forward mode='nat'/>\n  <ip address='192.168.100.1' netmask='255.255.255.0'>\n" +
        "    <dhcp>\n      <range start='192.168.100.2' end='192.168.100.254'/>\n    </dhcp>\n  </ip>\n</network>\n",
    );
    def.uuid = '706007df-3504-4c43-99b0-2568e8803f63';
    expect(formatNetworkXML(def)).toBe(
      "<network>\n  <name>net1</name>\n  <uuid>706007df-3504-4c43-99b0-2568e8803f63</uuid>\n  <forward mode='nat'/>\n" +
        "  <bridge name='virbr1' stp='on' delay='0'/>\n  <ip address='192.168.100.1' netmask='255.255.255.0'>\n    <dhcp>\n" +
        "      <range start='192.168.100.2' end='192.168.100.254'/>\n    </dhcp>\n  </ip>\n</network>\n",
    );
  });

  it('fail with libvirt errors in the network domain', () => {
    try {
      parseNetworkXML('<network><name>n</name><forward/></network>');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(VirError);
      const e = err as VirError;
      expect([e.code, e.domain, e.message]).toEqual([
        ErrorNumber.VIR_ERR_XML_ERROR,
        ErrorDomain.VIR_FROM_NETWORK,
        "XML error: nat forwarding requested, but no IP address provided for network 'n'",
      ]);
    }
    expect(() => parseNetworkXML('<network><name>n</network>')).toThrow(/^\(network_definition\):1: Opening and ending tag mismatch/);
  });
});
