import { ErrorDomain, ErrorNumber, virError, VirError } from '../errors/index.js';
import { parseXml, XmlWriter, type XmlElement } from '../xml/index.js';
import { classfulPrefix, formatIp, inSubnet, netmaskPrefix, parseIp, type IpAddress } from './inet.js';
import { isMulticastMac, parseMac } from './mac.js';
import { parseULongLong } from './units.js';
import { generateUUID, parseUUID } from './uuid.js';
import { parseWrappingUnsigned, propUInt, propYesNo, xmlError } from './xml-values.js';

/** A virtual network definition (the part of libvirt's network XML tsvirt models). */
export interface NetworkDef {
  name: string;
  uuid: string;
  ipv6?: 'yes' | 'no';
  trustGuestRxFilters?: 'yes' | 'no';
  forward?: NetworkForward;
  bridge: NetworkBridge;
  mtu?: number;
  /** The bridge's MAC address. */
  mac?: string;
  domain?: { name: string; localOnly?: 'yes' | 'no' };
  ips: NetworkIp[];
}

export const FORWARD_MODES = ['nat', 'route', 'open', 'bridge', 'private', 'vepa', 'passthrough', 'hostdev'] as const;

export interface NetworkForward {
  mode: (typeof FORWARD_MODES)[number];
  dev?: string;
  managed?: 'yes' | 'no';
  pfs: string[];
  interfaces: string[];
}

export interface NetworkBridge {
  name?: string;
  /** Absent when the definition does not say; printed as 'on' where it applies. */
  stp?: 'on' | 'off';
  delay?: number;
  macTableManager?: string;
}

export interface NetworkIp {
  family?: 'ipv4' | 'ipv6';
  /** Canonical text. */
  address: string;
  netmask?: string;
  prefix?: number;
  tftpRoot?: string;
  dhcp?: NetworkDhcp;
}

export interface NetworkDhcp {
  ranges: { start: string; end: string; lease?: { expiry: string; unit?: string } }[];
  /** Static hosts; `mac` is kept as written, as libvirt does. */
  hosts: { mac?: string; id?: string; name?: string; ip?: string }[];
  bootp?: { file: string; server?: string };
}

const N = ErrorDomain.VIR_FROM_NETWORK;

function netError(detail: string): VirError {
  return xmlError(detail, N);
}

function unsupported(detail: string): VirError {
  return virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, N, detail);
}

/** Parses network XML as libvirt's net-define does, with its checks and errors. */
export function parseNetworkXML(xml: string): NetworkDef {
  return parseNetworkElement(parseXml(xml, { docName: 'network_definition', errorDomain: N }));
}

/** Like parseNetworkXML, for a `<network>` element already parsed. */
export function parseNetworkElement(root: XmlElement): NetworkDef {
  if (root.localName !== 'network') throw xmlError(`expecting root element of 'network', not '${root.name}'`);
  const name = root.childText('name');
  if (name === undefined || name === '') throw virError(ErrorNumber.VIR_ERR_NO_NAME, N);
  if (name.includes('/')) throw virError(ErrorNumber.VIR_ERR_XML_DETAIL, ErrorDomain.VIR_FROM_XML, 'invalid char in name: /');
  const uuidText = root.childText('uuid');
  let uuid: string;
  if (uuidText === undefined || uuidText === '') uuid = generateUUID();
  else {
    const parsed = parseUUID(uuidText);
    if (parsed === null) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, N, 'malformed uuid element');
    uuid = parsed;
  }
  const ipv6 = root.attr('ipv6');
  if (ipv6 !== undefined && ipv6 !== 'yes' && ipv6 !== 'no') throw netError(`Invalid ipv6 setting '${ipv6}' in network '${name}'`);
  const def: NetworkDef = {
    name,
    uuid,
    // Only 'yes' changes anything, and only it is printed.
    ipv6: ipv6 === 'yes' ? 'yes' : undefined,
    trustGuestRxFilters: propYesNo(root, 'trustGuestRxFilters'),
    bridge: {},
    ips: [],
  };

  const domain = root.child('domain');
  const domainName = domain?.attr('name');
  if (domainName !== undefined) def.domain = { name: domainName, localOnly: propYesNo(domain!, 'localOnly') };

  const bridge = root.child('bridge');
  if (bridge !== undefined) {
    def.bridge.name = bridge.attr('name') || undefined;
    const stp = bridge.attr('stp');
    if (stp !== undefined) def.bridge.stp = stp === 'off' ? 'off' : 'on';
    const delay = bridge.attr('delay');
    if (delay !== undefined && delay !== '') {
      const n = parseULongLong(delay);
      if (n === null || n > 0xffff_ffffn) throw netError(`Invalid delay value in network '${name}'`);
      def.bridge.delay = Number(n);
    }
    def.bridge.macTableManager = bridge.attr('macTableManager');
  }

  const mac = root.child('mac')?.attr('address');
  if (mac !== undefined && mac !== '') {
    const parsed = parseMac(mac);
    if (parsed === null) throw netError(`Invalid bridge mac address '${mac}' in network '${name}'`);
    if (isMulticastMac(parsed)) throw netError(`Invalid multicast bridge mac address '${mac}' in network '${name}'`);
    def.mac = parsed;
  }

  const mtu = root.child('mtu')?.attr('size');
  if (mtu !== undefined && mtu !== '') {
    const n = parseWrappingUnsigned(mtu, 32);
    if (n === null) throw netError(`Invalid mtu size '${mtu}' in network '${name}'`);
    def.mtu = Number(n);
  }

  for (const ip of root.childrenNamed('ip')) def.ips.push(parseNetworkIp(ip, name));

  const forward = root.child('forward');
  if (forward !== undefined) def.forward = parseForward(forward, def);
  return def;
}

function parseForward(el: XmlElement, def: NetworkDef): NetworkForward {
  const mode = el.attr('mode') || 'nat';
  if (!(FORWARD_MODES as readonly string[]).includes(mode)) throw unsupported(`unknown forwarding type '${mode}'`);
  const forward: NetworkForward = {
    mode: mode as NetworkForward['mode'],
    managed: propYesNo(el, 'managed'),
    pfs: el.childrenNamed('pf').flatMap((pf) => pf.attr('dev') ?? []),
    interfaces: [],
  };
  const listed = new Set<string>();
  for (const iface of el.childrenNamed('interface')) {
    const dev = iface.attr('dev');
    if (dev === undefined) {
      throw netError(`Missing required dev attribute in <forward> <interface> element of network ${def.name}`);
    }
    if (listed.has(dev)) throw netError(`interface '${dev}' can only be listed once in network ${def.name}`);
    listed.add(dev);
    forward.interfaces.push(dev);
  }
  // The forward dev and the first interface stand for each other.
  const dev = el.attr('dev') || undefined;
  if (dev !== undefined && forward.interfaces.length === 0) forward.interfaces.push(dev);
  forward.dev = dev ?? (forward.mode === 'hostdev' ? undefined : forward.interfaces[0]);
  if (forward.mode === 'hostdev') forward.managed ??= 'no';

  const name = def.name;
  if ((forward.mode === 'nat' || forward.mode === 'route' || forward.mode === 'open') && def.ips.length === 0) {
    throw netError(`${forward.mode} forwarding requested, but no IP address provided for network '${name}'`);
  }
  if (forward.mode === 'bridge') {
    if (def.bridge.stp !== undefined || def.bridge.delay !== undefined) {
      throw netError(`bridge delay/stp/zone options only allowed in route, nat, and isolated mode, not in bridge (network '${name}')`);
    }
    if (def.bridge.name !== undefined && forward.dev !== undefined) {
      throw netError(`A network with forward mode='bridge' can specify a bridge name or a forward dev, but not both (network '${name}')`);
    }
  }
  return forward;
}

function parseNetworkIp(el: XmlElement, network: string): NetworkIp {
  const family = el.attr('family');
  if (family !== undefined && family !== 'ipv4' && family !== 'ipv6') {
    throw netError(`Unrecognized family '${family}' in network '${network}'`);
  }
  const addressText = el.attr('address');
  if (addressText === undefined || addressText === '') throw netError(`Missing required address attribute in network '${network}'`);
  const address = parseIp(addressText);
  if (address === null) throw netError(`Invalid address '${addressText}' in network '${network}'`);
  const netmaskText = el.attr('netmask') || undefined;
  const netmask = netmaskText === undefined ? undefined : parseIp(netmaskText);
  if (netmask === null) throw netError(`Invalid netmask '${netmaskText}' in network '${network}'`);
  const prefix = propUInt(el, 'prefix');

  if (family === undefined && address.family !== 'ipv4') {
    throw unsupported(`no family specified for non-IPv4 address '${addressText}' in network '${network}'`);
  }
  if (family !== undefined && address.family !== family) {
    throw unsupported(`Family '${family}' specified for non-${family === 'ipv4' ? 'IPv4' : 'IPv6'} address '${addressText}' in network '${network}'`);
  }
  if (address.family === 'ipv4') {
    if (netmask !== undefined && netmask.family !== 'ipv4') {
      throw unsupported(`Invalid netmask '${netmaskText}' for address '${addressText}' in network '${network}' (both must be IPv4)`);
    }
    if (netmask !== undefined && prefix !== undefined) {
      throw unsupported(`Network '${network}' IP address cannot have both a prefix and a netmask`);
    }
    if (prefix !== undefined && prefix > 32) throw unsupported(`Invalid IPv4 prefix '${prefix}' in network '${network}'`);
  } else {
    if (netmask !== undefined) throw unsupported(`netmask not allowed for IPv6 address '${addressText}' in network '${network}'`);
    if (prefix !== undefined && prefix > 128) throw unsupported(`Invalid IPv6 prefix '${prefix}' in network '${network}'`);
  }

  const ip: NetworkIp = {
    family: family as NetworkIp['family'],
    address: formatIp(address),
    netmask: netmask === undefined ? undefined : formatIp(netmask),
    prefix,
    tftpRoot: el.child('tftp')?.attr('root') || undefined,
  };
  const effectivePrefix =
    prefix ?? (netmask !== undefined ? netmaskPrefix(netmask) : address.family === 'ipv4' ? classfulPrefix(address) : 64);
  const dhcp = el.child('dhcp');
  if (dhcp !== undefined) ip.dhcp = parseDhcp(dhcp, address, effectivePrefix, network);
  return ip;
}

function parseDhcp(el: XmlElement, net: IpAddress, prefix: number, network: string): NetworkDhcp {
  const dhcp: NetworkDhcp = { ranges: [], hosts: [] };
  for (const range of el.childrenNamed('range')) {
    const startText = range.attr('start');
    if (startText === undefined) throw netError(`Missing 'start' attribute in dhcp range for network '${network}'`);
    const start = socketAddress(startText);
    const endText = range.attr('end');
    if (endText === undefined) throw netError(`Missing 'end' attribute in dhcp range for network '${network}'`);
    const end = socketAddress(endText);
    const startShown = formatIp(start);
    const endShown = formatIp(end);
    if (start.family !== end.family) {
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_NONE, `mismatch of address family in range ${startShown} - ${endShown}`);
    }
    if (prefix < 0) {
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_NONE,
        `bad prefix ${prefix} for network ${formatIp(net)} when  checking range ${startShown} - ${endShown}`);
    }
    if (!inSubnet(start, net, prefix) || !inSubnet(end, net, prefix)) {
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_NONE,
        `range ${startShown} - ${endShown} is not entirely within network ${formatIp(net)}/${prefix}`);
    }
    if (start.value > end.value) {
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_NONE, `range ${startShown} - ${endShown} is reversed `);
    }
    const lease = range.child('lease');
    const expiry = lease?.attr('expiry');
    dhcp.ranges.push({
      start: startShown,
      end: endShown,
      lease: expiry === undefined ? undefined : { expiry, unit: lease!.attr('unit') },
    });
  }
  for (const host of el.childrenNamed('host')) {
    const mac = host.attr('mac');
    if (mac !== undefined) {
      const parsed = parseMac(mac);
      if (parsed === null) throw netError(`Cannot parse MAC address '${mac}' in network '${network}'`);
      if (isMulticastMac(parsed)) {
        throw netError(`expected unicast mac address, found multicast '${mac}' in network '${network}'`);
      }
    }
    const id = host.attr('id');
    const badIdChar = id === undefined ? undefined : [...id].find((c) => !/[0-9a-fA-F:]/.test(c));
    if (badIdChar !== undefined) throw netError(`Invalid character '${badIdChar}' in id '${id}' of network '${network}'`);
    const name = host.attr('name');
    if (name !== undefined && !/^[A-Za-z0-9]/.test(name)) throw netError(`Cannot use host name '${name}' in network '${network}'`);
    const ipText = host.attr('ip');
    let ip: string | undefined;
    if (ipText !== undefined) {
      const parsed = parseIp(ipText);
      if (parsed === null) throw netError(`Invalid IP address in static host definition for network '${network}'`);
      ip = formatIp(parsed);
    }
    if (net.family === 'ipv4' && mac === undefined && name === undefined) {
      throw netError(`Static host definition in IPv4 network '${network}' must have mac or name attribute`);
    }
    if (ip === undefined) throw netError(`Missing IP address in static host definition for network '${network}'`);
    dhcp.hosts.push({ mac, id, name, ip });
  }
  const bootp = el.child('bootp');
  const file = bootp?.attr('file');
  if (file !== undefined) {
    const server = bootp!.attr('server');
    dhcp.bootp = { file, server: server === undefined ? undefined : formatIp(socketAddress(server)) };
  }
  return dhcp;
}

/** An address in a DHCP range, which libvirt resolves with getaddrinfo and reports like it. */
function socketAddress(text: string): IpAddress {
  const ip = parseIp(text);
  if (ip === null) {
    throw virError(ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_NONE,
      `Cannot parse socket address '${text}': Name or service not known`);
  }
  return ip;
}

/** Prints a network as libvirt 9.0's test driver does (`virsh net-dumpxml`). */
export function formatNetworkXML(def: NetworkDef): string {
  const w = new XmlWriter();
  w.open('network', [['ipv6', def.ipv6], ['trustGuestRxFilters', def.trustGuestRxFilters]]);
  w.text('name', def.name).text('uuid', def.uuid);
  const f = def.forward;
  if (f !== undefined) {
    w.block('forward', [['dev', f.dev], ['mode', f.mode], ['managed', f.managed]], (inner) => {
      for (const pf of f.pfs) inner.empty('pf', [['dev', pf]]);
      for (const dev of f.interfaces) inner.empty('interface', [['dev', dev]]);
    });
  }
  // Bridges libvirt creates itself (no forwarding, or NAT/routed/open) carry their STP and delay settings.
  const ownBridge = f === undefined || f.mode === 'nat' || f.mode === 'route' || f.mode === 'open';
  const b = def.bridge;
  if (ownBridge) {
    w.empty('bridge', [['name', b.name], ['stp', b.stp ?? 'on'], ['delay', b.delay ?? 0], ['macTableManager', b.macTableManager]]);
  } else if (b.name !== undefined) w.empty('bridge', [['name', b.name], ['macTableManager', b.macTableManager]]);
  if (def.mtu !== undefined) w.empty('mtu', [['size', def.mtu]]);
  if (def.mac !== undefined) w.empty('mac', [['address', def.mac]]);
  if (def.domain !== undefined) w.empty('domain', [['name', def.domain.name], ['localOnly', def.domain.localOnly]]);
  for (const ip of def.ips) {
    w.open('ip', [['family', ip.family], ['address', ip.address], ['netmask', ip.netmask], ['prefix', ip.prefix]]);
    if (ip.tftpRoot !== undefined) w.empty('tftp', [['root', ip.tftpRoot]]);
    const d = ip.dhcp;
    if (d !== undefined && (d.ranges.length > 0 || d.hosts.length > 0)) {
      w.open('dhcp');
      for (const r of d.ranges) {
        w.block('range', [['start', r.start], ['end', r.end]], (inner) => {
          if (r.lease !== undefined) inner.empty('lease', [['expiry', r.lease.expiry], ['unit', r.lease.unit]]);
        });
      }
      for (const h of d.hosts) w.empty('host', [['mac', h.mac], ['id', h.id], ['name', h.name], ['ip', h.ip]]);
      if (d.bootp !== undefined) w.empty('bootp', [['file', d.bootp.file], ['server', d.bootp.server]]);
      w.close('dhcp');
    }
    w.close('ip');
  }
  w.close('network');
  return w.toString();
}
