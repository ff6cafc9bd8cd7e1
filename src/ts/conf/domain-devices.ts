import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';
import type { XmlElement, XmlWriter } from '../xml/index.js';
import {
  CONTROLLER_TYPES,
  DISK_BUSES,
  type Address,
  type CharDevDef,
  type ControllerDef,
  type DeviceInfo,
  type DiskDef,
  type DiskSource,
  type GraphicsDef,
  type GraphicsListen,
  type InputDef,
  type InterfaceDef,
  type MemballoonDef,
  type VideoDef,
} from './domain-def.js';
import { isMulticastMac, parseMac } from './mac.js';
import { parseCLong, parseCUIntAnyBase, propEnum, propInt, propOnOff, propUInt, propYesNo, xmlError } from './xml-values.js';

/**
 * Parsing and printing of the devices tsvirt models, one function pair per kind. Parsing reads what the
 * element says and checks its syntax; defaults that depend on the whole domain are filled in later by
 * domain-defaults.ts, as libvirt's post-parse step does.
 */

const D = ErrorDomain.VIR_FROM_DOMAIN;

function domainXmlError(detail: string) {
  return xmlError(detail, D);
}

// ---------------------------------------------------------------- device info: <boot order>, <address>

function parseDeviceInfo(el: XmlElement, info: DeviceInfo): void {
  const boot = el.child('boot');
  if (boot !== undefined) info.bootOrder = propUInt(boot, 'order', { required: true, nonZero: true });
  const address = el.child('address');
  if (address !== undefined) info.address = parseAddress(address);
}

function parseAddress(el: XmlElement): Address {
  const type = el.attr('type');
  if (type === undefined) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, 'No type specified for device address');
  if (type === 'pci') {
    // libvirt silently forgets a PCI address whose function number is out of range.
    if ((parseCUIntAnyBase(el.attr('function') ?? '0') ?? 0) > 7) return { type: 'pci' };
    const field = (name: string, max: number, label: string) => {
      const text = el.attr(name);
      if (text === undefined) return undefined;
      const n = parseCUIntAnyBase(text);
      if (n === null) throw xmlError(`Invalid value for attribute '${name}' in element 'address': '${text}'. Expected non-negative integer value`);
      if (n > max) {
        throw virError(ErrorNumber.VIR_ERR_XML_ERROR, ErrorDomain.VIR_FROM_NONE,
          `Invalid PCI address ${name}='${text}', must be <= ${label}`);
      }
      return n;
    };
    return {
      type: 'pci',
      domain: field('domain', 0xffff_ffff, '0xFFFFFFFF'),
      bus: field('bus', 0xff, '0xFF'),
      slot: field('slot', 0x1f, '0x1F'),
      function: field('function', 7, '7'),
      multifunction: propOnOff(el, 'multifunction'),
    };
  }
  if (type === 'drive') {
    const n = (name: string) => propUInt(el, name) ?? 0;
    return { type: 'drive', controller: n('controller'), bus: n('bus'), target: n('target'), unit: n('unit') };
  }
  throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown address type '${type}'`);
}

function hex(n: number | undefined, width: number): string {
  return `0x${(n ?? 0).toString(16).padStart(width, '0')}`;
}

/** `<boot order>` and `<address>`, which end every device's element. */
function formatDeviceInfo(w: XmlWriter, info: DeviceInfo): void {
  if (info.bootOrder !== undefined) w.empty('boot', [['order', info.bootOrder]]);
  const a = info.address;
  if (a === undefined) return;
  if (a.type === 'drive') {
    // Read as unsigned, printed with %d: past 2^31 libvirt shows them negative.
    const int = (n: number) => n | 0;
    w.empty('address', [['type', 'drive'], ['controller', int(a.controller)], ['bus', int(a.bus)], ['target', int(a.target)], ['unit', int(a.unit)]]);
  } else if (!a.domain && !a.bus && !a.slot && !a.function) {
    // libvirt cannot tell an all-zero PCI address from none.
    w.empty('address', [['type', 'pci']]);
  } else {
    w.empty('address', [
      ['type', 'pci'],
      ['domain', hex(a.domain, 4)],
      ['bus', hex(a.bus, 2)],
      ['slot', hex(a.slot, 2)],
      ['function', hex(a.function, 1)],
      ['multifunction', a.multifunction],
    ]);
  }
}

// ---------------------------------------------------------------- disks

const DISK_TYPES = ['file', 'block', 'dir', 'network', 'volume'] as const;
const DISK_DEVICES = ['disk', 'cdrom', 'floppy', 'lun'] as const;
/** Disk image formats libvirt knows for <driver type>. */
const DISK_FORMATS = ['raw', 'dir', 'bochs', 'cloop', 'dmg', 'iso', 'vpc', 'vdi', 'fat', 'vhd', 'ploop', 'cow', 'qcow', 'qcow2', 'qed', 'vmdk'];
/** <driver> attributes tsvirt keeps, in libvirt's print order, with their values where libvirt checks them. */
const DISK_DRIVER_ATTRS: [string, readonly string[] | null][] = [
  ['name', null],
  ['type', null],
  ['cache', ['default', 'none', 'writethrough', 'writeback', 'directsync', 'unsafe']],
  ['error_policy', ['default', 'stop', 'report', 'ignore', 'enospace']],
  ['rerror_policy', ['default', 'stop', 'report', 'ignore']],
  ['io', ['default', 'native', 'threads', 'io_uring']],
  ['ioeventfd', ['on', 'off']],
  ['event_idx', ['on', 'off']],
  ['copy_on_read', ['on', 'off']],
  ['discard', ['default', 'unmap', 'ignore']],
  ['iothread', null],
  ['detect_zeroes', ['default', 'off', 'on', 'unmap']],
  ['queues', null],
  ['queue_size', null],
];
/** Ports libvirt fills in for network disk hosts that do not give one. */
const PROTOCOL_PORTS: Record<string, string> = {
  nbd: '10809', rbd: '6789', sheepdog: '7000', gluster: '24007', iscsi: '3260', http: '80', https: '443',
  ftp: '21', ftps: '990', tftp: '69', ssh: '22', vxhs: '9999', nfs: '2049',
};

export function parseDisk(el: XmlElement): DiskDef {
  const type = propEnum(el, 'type', DISK_TYPES) ?? 'file';
  const device = propEnum(el, 'device', DISK_DEVICES) ?? 'disk';
  const target = el.child('target');
  const disk: DiskDef = {
    type,
    device,
    rawio: propYesNo(el, 'rawio'),
    snapshot: el.attr('snapshot'),
    driver: [],
    target: {
      dev: target?.attr('dev'),
      bus: target === undefined ? undefined : propEnum(target, 'bus', DISK_BUSES),
      tray: target === undefined ? undefined : propEnum(target, 'tray', ['open', 'closed'] as const),
      removable: target === undefined ? undefined : propOnOff(target, 'removable'),
    },
    readonly: el.child('readonly') !== undefined,
    shareable: el.child('shareable') !== undefined,
    transient: el.child('transient') !== undefined,
    serial: nonEmpty(el.childText('serial')),
    wwn: nonEmpty(el.childText('wwn')),
    vendor: nonEmpty(el.childText('vendor')),
    product: nonEmpty(el.childText('product')),
  };
  const driver = el.child('driver');
  if (driver !== undefined) {
    for (const [name, values] of DISK_DRIVER_ATTRS) {
      let value = values === null ? driver.attr(name) : propEnum(driver, name, values);
      if (value === undefined) continue;
      if (name === 'type') {
        // 'aio' is an old spelling of raw.
        if (value === 'aio') value = 'raw';
        if (!DISK_FORMATS.includes(value)) {
          throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown driver format value '${value}'`);
        }
      }
      disk.driver.push([name, value]);
    }
  }
  const source = el.child('source');
  if (source !== undefined) disk.source = parseDiskSource(source, type);
  parseDeviceInfo(el, disk);
  return disk;
}

function parseDiskSource(el: XmlElement, type: DiskDef['type']): DiskSource | undefined {
  const source: DiskSource = { hosts: [], startupPolicy: el.attr('startupPolicy') };
  switch (type) {
    case 'file':
      source.path = nonEmpty(el.attr('file'));
      break;
    case 'block':
      source.path = nonEmpty(el.attr('dev'));
      break;
    case 'dir':
      source.path = nonEmpty(el.attr('dir'));
      break;
    case 'network':
      source.protocol = el.attr('protocol');
      source.name = el.attr('name');
      for (const host of el.childrenNamed('host')) {
        source.hosts.push({
          name: host.attr('name'),
          port: host.attr('port') ?? (host.attr('name') !== undefined ? PROTOCOL_PORTS[source.protocol ?? ''] : undefined),
          transport: host.attr('transport'),
          socket: host.attr('socket'),
        });
      }
      break;
    case 'volume':
      source.pool = el.attr('pool');
      source.volume = el.attr('volume');
      source.mode = el.attr('mode');
      break;
  }
  return source;
}

/** The path, name or volume the disk's source points at, as libvirt names it in messages. */
export function diskSourceName(disk: DiskDef): string | undefined {
  const s = disk.source;
  if (s === undefined) return undefined;
  return s.path ?? s.name ?? s.volume;
}

export function formatDisk(w: XmlWriter, disk: DiskDef): void {
  w.open('disk', [['type', disk.type], ['device', disk.device], ['rawio', disk.rawio], ['snapshot', disk.snapshot]]);
  if (disk.driver.length > 0) w.empty('driver', disk.driver);
  const s = disk.source;
  if (s !== undefined) {
    const pathAttr = disk.type === 'file' ? 'file' : disk.type === 'block' ? 'dev' : 'dir';
    if (disk.type === 'network') {
      w.block('source', [['protocol', s.protocol], ['name', s.name]], (inner) => {
        for (const h of s.hosts) {
          inner.empty('host', [['name', h.name], ['port', h.port], ['transport', h.transport], ['socket', h.socket]]);
        }
      });
    } else if (disk.type === 'volume') {
      w.empty('source', [['pool', s.pool], ['volume', s.volume], ['mode', s.mode]]);
    } else if (s.path !== undefined || s.startupPolicy !== undefined) {
      w.empty('source', [[pathAttr, s.path], ['startupPolicy', s.startupPolicy]]);
    }
  }
  const t = disk.target;
  w.empty('target', [['dev', t.dev], ['bus', t.bus], ['tray', t.tray], ['removable', t.removable]]);
  if (disk.readonly) w.empty('readonly');
  if (disk.shareable) w.empty('shareable');
  if (disk.transient) w.empty('transient');
  w.text('serial', disk.serial).text('wwn', disk.wwn).text('vendor', disk.vendor).text('product', disk.product);
  formatDeviceInfo(w, disk);
  w.close('disk');
}

/**
 * libvirt's virDiskNameToIndex: `sdb` is 1, `hdaa` is 26; a partition number may follow. -1 when the name
 * does not have a known prefix or its index does not fit in an int.
 */
export function diskNameToIndex(name: string | undefined): number {
  if (name === undefined) return -1;
  const prefix = ['fd', 'hd', 'vd', 'sd', 'xvd', 'ubd'].find((p) => name.startsWith(p));
  if (prefix === undefined) return -1;
  const m = /^([a-z]+)([0-9]*)$/.exec(name.slice(prefix.length));
  if (m === null) return -1;
  let index = 0;
  for (let i = 0; i < m[1]!.length; i++) {
    index = (index + (i === 0 ? 0 : 1)) * 26 + (m[1]!.charCodeAt(i) - 0x61);
    // libvirt's index is an int; a name past its range is no disk name it can place.
    if (index > 0x7fff_ffff) return -1;
  }
  return index;
}

// ---------------------------------------------------------------- controllers

/** Models libvirt knows, by controller type (types missing here take no model). */
const CONTROLLER_MODELS: Partial<Record<string, readonly string[]>> = {
  scsi: [
    'auto', 'buslogic', 'lsilogic', 'lsisas1068', 'vmpvscsi', 'ibmvscsi', 'virtio-scsi', 'lsisas1078',
    'virtio-transitional', 'virtio-non-transitional', 'ncr53c90', 'am53c974', 'dc390',
  ],
  usb: [
    'piix3-uhci', 'piix4-uhci', 'ehci', 'ich9-ehci1', 'ich9-uhci1', 'ich9-uhci2', 'ich9-uhci3', 'vt82c686b-uhci',
    'pci-ohci', 'nec-xhci', 'qusb1', 'qusb2', 'qemu-xhci', 'none',
  ],
  pci: [
    'pci-root', 'pcie-root', 'pci-bridge', 'dmi-to-pci-bridge', 'pcie-root-port', 'pcie-switch-upstream-port',
    'pcie-switch-downstream-port', 'pci-expander-bus', 'pcie-expander-bus', 'pcie-to-pci-bridge',
  ],
  ide: ['piix3', 'piix4', 'ich6'],
  'virtio-serial': ['virtio', 'virtio-transitional', 'virtio-non-transitional'],
};

/** A controller; its index is -1 when not given (filled in later). */
export function parseController(el: XmlElement): ControllerDef {
  const type = propEnum(el, 'type', CONTROLLER_TYPES) ?? 'ide';
  const model = el.attr('model');
  if (model !== undefined && !(CONTROLLER_MODELS[type] ?? []).includes(model)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `Unknown model type '${model}'`);
  }
  const controller: ControllerDef = { type, index: propInt(el, 'index', { nonNegative: true }) ?? -1, model };
  parseDeviceInfo(el, controller);
  return controller;
}

export function formatController(w: XmlWriter, c: ControllerDef): void {
  const attrs: [string, string | number | undefined][] = [['type', c.type], ['index', c.index], ['model', c.model]];
  w.block('controller', attrs, (inner) => formatDeviceInfo(inner, c));
}

// ---------------------------------------------------------------- network interfaces

const INTERFACE_TYPES = [
  'user', 'ethernet', 'vhostuser', 'server', 'client', 'mcast', 'network', 'bridge', 'internal', 'direct',
  'hostdev', 'udp', 'vdpa', 'null', 'vds',
] as const;
/** Target names libvirt generates itself, so drops from saved configurations. */
const GENERATED_IFNAME_PREFIXES = ['vnet', 'macvtap', 'macvlan'];

export function parseInterface(el: XmlElement): InterfaceDef {
  const type = propEnum(el, 'type', INTERFACE_TYPES) ?? 'user';
  const iface: InterfaceDef = { type, mac: '' };
  const mac = el.child('mac')?.attr('address');
  if (mac !== undefined) {
    const parsed = parseMac(mac);
    if (parsed === null) throw domainXmlError(`unable to parse mac address '${mac}'`);
    if (isMulticastMac(parsed)) throw domainXmlError(`expected unicast mac address, found multicast '${mac}'`);
    iface.mac = parsed;
  }
  const source = el.child('source');
  if (type === 'network' || type === 'bridge' || type === 'direct') {
    if (source === undefined) throw domainXmlError(`interface type='${type}' requires a 'source' element`);
    if (type === 'network') {
      iface.source = { network: requiredAttr(source, 'network'), portgroup: source.attr('portgroup') };
    } else if (type === 'bridge') iface.source = { bridge: requiredAttr(source, 'bridge') };
    else iface.source = { dev: requiredAttr(source, 'dev'), mode: source.attr('mode') };
  }
  iface.script = el.child('script')?.attr('path') || undefined;
  const target = el.child('target')?.attr('dev');
  if (target !== undefined && !GENERATED_IFNAME_PREFIXES.some((p) => target.startsWith(p))) iface.targetDev = target;
  const model = el.child('model')?.attr('type');
  if (model !== undefined && model !== '') {
    if (!/^[A-Za-z0-9_-]*$/.test(model)) {
      throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, D, 'Model name contains invalid characters');
    }
    iface.model = model;
  }
  const link = el.child('link')?.attr('state');
  if (link !== undefined && link !== '') {
    if (link !== 'up' && link !== 'down') {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown interface link state '${link}'`);
    }
    iface.linkState = link;
  }
  const mtu = el.child('mtu')?.attr('size');
  if (mtu !== undefined) {
    const n = parseCUIntAnyBase(mtu);
    if (n === null) throw domainXmlError('malformed mtu size');
    iface.mtu = n;
  }
  parseDeviceInfo(el, iface);
  return iface;
}

export function formatInterface(w: XmlWriter, iface: InterfaceDef): void {
  w.open('interface', [['type', iface.type]]);
  w.empty('mac', [['address', iface.mac]]);
  const s = iface.source;
  if (s !== undefined) {
    w.empty('source', [['network', s.network], ['portgroup', s.portgroup], ['bridge', s.bridge], ['dev', s.dev], ['mode', s.mode]]);
  }
  if (iface.script !== undefined) w.empty('script', [['path', iface.script]]);
  if (iface.targetDev !== undefined) w.empty('target', [['dev', iface.targetDev]]);
  if (iface.model !== undefined) w.empty('model', [['type', iface.model]]);
  if (iface.linkState !== undefined) w.empty('link', [['state', iface.linkState]]);
  if (iface.mtu !== undefined) w.empty('mtu', [['size', iface.mtu]]);
  formatDeviceInfo(w, iface);
  w.close('interface');
}

// ---------------------------------------------------------------- serial ports and consoles

const CHARDEV_TYPES = ['null', 'vc', 'pty', 'dev', 'file', 'pipe', 'stdio', 'udp', 'tcp', 'unix', 'spicevmc', 'spiceport', 'nmdm', 'qemu-vdagent', 'dbus'];
const SERIAL_TARGET_TYPES = ['isa-serial', 'usb-serial', 'pci-serial', 'spapr-vio-serial', 'system-serial', 'sclp-serial', 'isa-debug'];
const CONSOLE_TARGET_TYPES = ['serial', 'xen', 'uml', 'virtio', 'lxc', 'openvz', 'sclp', 'sclplm'];

export function parseCharDev(el: XmlElement, kind: 'serial' | 'console'): CharDevDef {
  const type = el.attr('type') ?? 'pty';
  if (!CHARDEV_TYPES.includes(type)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown type presented to host for character device: ${type}`);
  }
  const dev: CharDevDef = { type };
  const source = el.child('source');
  switch (type) {
    case 'dev':
    case 'file':
    case 'pipe': {
      const path = source?.attr('path');
      if (path === undefined) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, 'Missing source path attribute for char device');
      dev.source = { path };
      break;
    }
    case 'unix':
      dev.source = { mode: source?.attr('mode') ?? 'connect', path: source?.attr('path') };
      break;
    case 'tcp':
    case 'udp':
      dev.source = { mode: source?.attr('mode') ?? 'connect', host: source?.attr('host'), service: source?.attr('service') };
      if (type === 'tcp') {
        dev.protocol = el.child('protocol')?.attr('type') ?? 'raw';
        if (!['raw', 'telnet', 'telnets', 'tls'].includes(dev.protocol)) {
          throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `Unknown protocol '${dev.protocol}'`);
        }
      }
      break;
  }
  const target = el.child('target');
  if (target !== undefined) {
    const targetType = target.attr('type');
    const allowed = kind === 'serial' ? SERIAL_TARGET_TYPES : CONSOLE_TARGET_TYPES;
    if (targetType !== undefined && !allowed.includes(targetType)) {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown target type '${targetType}' specified for character device`);
    }
    dev.targetType = targetType;
    const port = target.attr('port');
    if (port !== undefined) {
      const n = parseCLong(port);
      if (n === null) throw domainXmlError(`Invalid port number: ${port}`);
      // A negative port means "pick one".
      if (n >= 0) dev.targetPort = n;
    }
    dev.targetModel = target.child('model')?.attr('name');
  }
  parseDeviceInfo(el, dev);
  return dev;
}

export function formatCharDev(w: XmlWriter, kind: 'serial' | 'console', dev: CharDevDef): void {
  w.open(kind, [['type', dev.type]]);
  const s = dev.source;
  if (s !== undefined) {
    if (dev.type === 'tcp' || dev.type === 'udp') {
      w.empty('source', [['mode', s.mode], ['host', s.host], ['service', s.service]]);
    } else if (dev.type === 'unix') w.empty('source', [['mode', s.mode], ['path', s.path]]);
    else w.empty('source', [['path', s.path]]);
  }
  if (dev.protocol !== undefined) w.empty('protocol', [['type', dev.protocol]]);
  const targetAttrs: [string, string | number | undefined][] = [['type', dev.targetType], ['port', dev.targetPort]];
  w.block('target', targetAttrs, (inner) => {
    if (dev.targetModel !== undefined) inner.empty('model', [['name', dev.targetModel]]);
  });
  formatDeviceInfo(w, dev);
  w.close(kind);
}

// ---------------------------------------------------------------- input devices

const INPUT_TYPES = ['mouse', 'tablet', 'keyboard', 'passthrough', 'evdev'] as const;
const INPUT_BUSES = ['ps2', 'usb', 'xen', 'parallels', 'virtio', 'none'];

/** An input device; its bus is '' when not given (the default depends on the OS type). */
export function parseInput(el: XmlElement): InputDef {
  const type = el.attr('type');
  if (type === undefined) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, 'missing input device type');
  if (!(INPUT_TYPES as readonly string[]).includes(type)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown input device type '${type}'`);
  }
  const bus = el.attr('bus') ?? '';
  if (bus !== '' && !INPUT_BUSES.includes(bus)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown input bus type '${bus}'`);
  }
  const input: InputDef = { type: type as InputDef['type'], bus };
  parseDeviceInfo(el, input);
  // A USB device sits at a USB address, which tsvirt does not model: any address given is the wrong kind.
  if (bus === 'usb' && input.address !== undefined) throw domainXmlError('Invalid address for a USB device');
  return input;
}

export function formatInput(w: XmlWriter, input: InputDef): void {
  const bus = input.bus === '' || input.bus === 'none' ? undefined : input.bus;
  w.block('input', [['type', input.type], ['bus', bus]], (inner) => formatDeviceInfo(inner, input));
}

// ---------------------------------------------------------------- graphics

const GRAPHICS_TYPES = ['sdl', 'vnc', 'rdp', 'desktop', 'spice', 'egl-headless', 'dbus'] as const;

export function parseGraphics(el: XmlElement): GraphicsDef {
  const type = propEnum(el, 'type', GRAPHICS_TYPES, { required: true })!;
  const g: GraphicsDef = { type, listens: [] };
  // vnc and rdp ports have their own message; the other port attributes are checked as plain integers.
  const port = (attr: string) => {
    const text = el.attr(attr);
    if (text === undefined) return undefined;
    const n = parseCLong(text);
    if (n === null) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, `cannot parse ${type} port ${text}`);
    return n;
  };
  // SPICE checks autoport strictly; the others ignore a value they cannot read.
  const autoport = type === 'spice' ? propYesNo(el, 'autoport') : el.attr('autoport');
  if (autoport === 'yes' || autoport === 'no') g.autoport = autoport === 'yes';
  switch (type) {
    case 'vnc':
      g.port = port('port');
      g.websocket = propInt(el, 'websocket');
      g.keymap = el.attr('keymap');
      g.sharePolicy = el.attr('sharePolicy');
      g.passwdValidTo = el.attr('passwdValidTo');
      break;
    case 'spice':
      g.port = propInt(el, 'port');
      g.tlsPort = propInt(el, 'tlsPort');
      g.keymap = el.attr('keymap');
      break;
    case 'rdp':
      g.port = port('port');
      break;
    case 'sdl':
    case 'desktop':
      g.display = el.attr('display');
      g.xauth = type === 'sdl' ? el.attr('xauth') : undefined;
      g.fullscreen = propYesNo(el, 'fullscreen');
      break;
  }
  if (type === 'vnc' || type === 'spice' || type === 'rdp') {
    for (const listen of el.childrenNamed('listen')) g.listens.push(parseListen(listen));
    const legacy = el.attr('listen');
    if (legacy !== undefined) {
      const first = g.listens[0];
      if (first === undefined) g.listens.push({ type: 'address', address: legacy });
      else if (first.type === 'address' && first.address === undefined) first.address = legacy;
      else if (first.type === 'address' && first.address !== legacy) {
        throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D,
          `graphics 'listen' attribute '${legacy}' must match 'address' attribute of first listen element (found '${first.address ?? ''}')`);
      }
    }
  }
  return g;
}

function parseListen(el: XmlElement): GraphicsListen {
  const type = propEnum(el, 'type', ['address', 'network', 'socket', 'none'] as const, { required: true })!;
  const listen: GraphicsListen = { type };
  if (type === 'address') listen.address = el.attr('address');
  if (type === 'network') {
    listen.network = el.attr('network');
    if (listen.network === undefined) throw domainXmlError("'network' attribute is required for listen type 'network'");
  }
  if (type === 'socket') listen.socket = el.attr('socket');
  return listen;
}

export function formatGraphics(w: XmlWriter, g: GraphicsDef): void {
  const attrs: [string, string | number | undefined][] = [['type', g.type]];
  const first = g.listens[0];
  const listenAttr = first?.type === 'address' ? first.address : undefined;
  const portAttrs = (tls: boolean) => {
    if (first?.type === 'socket') attrs.push(['socket', first.socket]);
    if (first?.type === 'none' || first?.type === 'socket') return;
    if (g.autoport) {
      if (g.type !== 'spice') attrs.push(['port', g.type === 'rdp' ? 0 : -1]);
    } else if (g.port !== undefined && g.port > 0) attrs.push(['port', g.port]);
    if (tls && g.tlsPort !== undefined && g.tlsPort !== 0) attrs.push(['tlsPort', g.tlsPort]);
    if (g.autoport !== undefined && !(g.type === 'rdp' && !g.autoport)) attrs.push(['autoport', g.autoport ? 'yes' : 'no']);
  };
  switch (g.type) {
    case 'vnc':
      portAttrs(false);
      attrs.push(['websocket', g.websocket], ['listen', listenAttr], ['keymap', g.keymap]);
      attrs.push(['sharePolicy', g.sharePolicy], ['passwdValidTo', g.passwdValidTo]);
      break;
    case 'spice':
      portAttrs(true);
      attrs.push(['listen', listenAttr], ['keymap', g.keymap]);
      break;
    case 'rdp':
      portAttrs(false);
      attrs.push(['listen', listenAttr]);
      break;
    case 'sdl':
    case 'desktop':
      attrs.push(['display', g.display], ['xauth', g.xauth], ['fullscreen', g.fullscreen === 'yes' ? 'yes' : undefined]);
      break;
  }
  w.block('graphics', attrs, (inner) => {
    for (const l of g.listens) {
      inner.empty('listen', [['type', l.type], ['address', l.address], ['network', l.network], ['socket', l.socket]]);
    }
  });
}

// ---------------------------------------------------------------- video

const VIDEO_MODELS = ['vga', 'cirrus', 'vmvga', 'xen', 'vbox', 'qxl', 'parallels', 'virtio', 'gop', 'none', 'bochs', 'ramfb'];

export function parseVideo(el: XmlElement): VideoDef {
  const model = el.child('model');
  const type = model?.attr('type') ?? '';
  if (type !== '' && !VIDEO_MODELS.includes(type)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown video model '${type}'`);
  }
  const size = (attr: string) => {
    const text = model?.attr(attr);
    if (text === undefined) return undefined;
    const n = parseCUIntAnyBase(text);
    if (n === null) {
      // The heads count is read by different code in libvirt, with another error code.
      if (attr === 'heads') throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, `cannot parse video heads '${text}'`);
      throw domainXmlError(`cannot parse video ${attr} '${text}'`);
    }
    return n;
  };
  const video: VideoDef = {
    model: type,
    ram: size('ram'),
    vram: size('vram'),
    vgamem: size('vgamem'),
    heads: size('heads'),
    primary: model?.attr('primary') === 'yes',
  };
  parseDeviceInfo(el, video);
  return video;
}

export function formatVideo(w: XmlWriter, v: VideoDef): void {
  w.open('video');
  w.empty('model', [
    ['type', v.model],
    ['ram', v.ram],
    ['vram', v.vram],
    ['vgamem', v.vgamem],
    ['heads', v.heads || undefined],
    ['primary', v.primary ? 'yes' : undefined],
  ]);
  formatDeviceInfo(w, v);
  w.close('video');
}

// ---------------------------------------------------------------- memory balloon

const MEMBALLOON_MODELS = ['virtio', 'xen', 'none', 'virtio-transitional', 'virtio-non-transitional'] as const;

export function parseMemballoon(el: XmlElement): MemballoonDef {
  const model = propEnum(el, 'model', MEMBALLOON_MODELS, { required: true })!;
  const balloon: MemballoonDef = { model, autodeflate: propOnOff(el, 'autodeflate') };
  const stats = el.child('stats');
  const period = stats === undefined ? undefined : propInt(stats, 'period', { anyBase: true });
  if (period !== undefined && period > 0) balloon.statsPeriod = period;
  // No device, no address.
  if (model !== 'none') parseDeviceInfo(el, balloon);
  return balloon;
}

export function formatMemballoon(w: XmlWriter, b: MemballoonDef): void {
  w.block('memballoon', [['model', b.model], ['autodeflate', b.autodeflate]], (inner) => {
    if (b.statsPeriod !== undefined) inner.empty('stats', [['period', b.statsPeriod]]);
    formatDeviceInfo(inner, b);
  });
}

// ---------------------------------------------------------------- helpers

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

function requiredAttr(el: XmlElement, attr: string): string {
  const value = el.attr(attr);
  if (value === undefined) throw xmlError(`Missing required attribute '${attr}' in element '${el.name}'`);
  return value;
}
