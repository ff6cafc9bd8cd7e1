import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';
import type { CharDevDef, ControllerType, DiskBus, DiskDef, DomainDef, GraphicsDef, VideoDef } from './domain-def.js';
import { diskNameToIndex, diskSourceName } from './domain-devices.js';
import { generateMac } from './mac.js';
import { xmlError } from './xml-values.js';

const D = ErrorDomain.VIR_FROM_DOMAIN;

/**
 * What libvirt fills in after parsing a domain (its post-parse step, plus what the test driver adds on
 * define): memory and vCPU defaults, the boot device, disk buses and drive addresses, the controllers those
 * need, MAC addresses and interface names, the console of a serial port, graphics listens and a video card.
 */
export function applyDomainDefaults(def: DomainDef): void {
  if (def.memory === 0) throw xmlError('Memory size must be specified via <memory> or in the <numa> configuration', D);
  if (def.currentMemory === 0 || def.currentMemory > def.memory) def.currentMemory = def.memory;
  if (def.vcpus === 0) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, 'CPU IDs in <numa> exceed the <vcpu> count');
  if (def.vcpuPlacement === 'auto') def.numatuneAuto = true;
  fillIOThreadIds(def);
  const cpu = def.cpu;
  if (cpu?.model !== undefined) {
    cpu.mode ??= 'custom';
    if (cpu.mode === 'custom') cpu.match ??= 'exact';
    cpu.model.fallback ??= 'allow';
  } else if (cpu?.mode === 'custom') {
    // A custom CPU without a model is only a topology: nothing to match.
    cpu.mode = cpu.match = undefined;
  }
  defaultBootDevice(def);

  const devices = def.devices;
  for (const disk of devices.disks) defaultDisk(disk);
  numberControllers(def);
  addImplicitControllers(def);
  nameInterfaces(def);
  pairSerialsAndConsoles(def);
  if (devices.consoles.some((c) => c.targetType === 'virtio')) addController(def, 'virtio-serial', 0);
  for (const input of devices.inputs) {
    if (input.bus === '') {
      input.bus = input.type === 'tablet' ? 'usb' : input.type === 'passthrough' ? 'virtio' : input.type === 'evdev' ? '' : def.os.type === 'hvm' ? 'ps2' : 'xen';
    }
    if (input.bus === 'ps2' && input.type === 'tablet') {
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, 'ps2 bus does not support tablet input device');
    }
  }
  for (const g of devices.graphics) defaultGraphics(g);
  if (devices.graphics.length > 0 && devices.videos.length === 0) devices.videos.push({ model: '', primary: false });
  defaultVideos(def);
}

/** libvirt's checks on the completed definition, in its order. */
export function validateDomain(def: DomainDef): void {
  if (def.name.includes('/')) throw xmlError(`name ${def.name} cannot contain '/'`, D);
  for (const [event, action] of [['poweroff', def.onPoweroff], ['reboot', def.onReboot]] as const) {
    if (action.startsWith('coredump-')) {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `Lifecycle event '${event}' doesn't support '${action}' action`);
    }
  }
  for (const disk of def.devices.disks) {
    const dev = disk.target.dev;
    if (dev === undefined) throw virError(ErrorNumber.VIR_ERR_NO_TARGET, D, diskSourceName(disk));
    if (disk.device === 'floppy' && !dev.startsWith('fd')) {
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, `Invalid floppy device name: ${dev}`);
    }
    if ((disk.device === 'disk' || disk.device === 'lun') && !HARDDISK_PREFIXES.some((p) => dev.startsWith(p))) {
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, `Invalid harddisk device name: ${dev}`);
    }
    if (disk.device !== 'lun' && disk.rawio !== undefined) {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, "rawio can be used only with device='lun'");
    }
    if (disk.device !== 'floppy' && disk.target.bus === 'fdc') {
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, "Invalid bus type 'fdc' for disk");
    }
    if (disk.device === 'floppy' && disk.target.bus !== 'fdc') {
      throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, `Invalid bus type '${disk.target.bus}' for floppy disk`);
    }
    if (diskSourceName(disk) === undefined && (disk.device === 'disk' || disk.device === 'lun')) {
      throw virError(ErrorNumber.VIR_ERR_NO_SOURCE, D, dev);
    }
    if (disk.target.tray !== undefined && disk.device !== 'cdrom' && disk.device !== 'floppy') {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, 'tray is only valid for cdrom and floppy');
    }
    if (disk.address?.type === 'pci' && disk.target.bus !== 'virtio') {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D,
        `Invalid address type 'pci' for the disk '${dev}' with the bus type '${disk.target.bus}'`);
    }
  }
  const controllers = new Set<string>();
  for (const c of def.devices.controllers) {
    // USB companion controllers share their master's index.
    if (c.type === 'usb') continue;
    const key = `${c.type}/${c.index}`;
    if (controllers.has(key)) throw xmlError(`Multiple '${c.type}' controllers with index '${c.index}'`, D);
    controllers.add(key);
  }
  const seenTargets = new Map<string, DiskDef>();
  for (const disk of def.devices.disks) {
    const dev = disk.target.dev!;
    const other = seenTargets.get(dev);
    if (other !== undefined) {
      throw xmlError(`target '${dev}' duplicated for disk sources '${diskSourceName(other) ?? '<null>'}' and '${diskSourceName(disk) ?? '<null>'}'`, D);
    }
    seenTargets.set(dev, disk);
  }
  // Two disks on one drive address: libvirt names the first of them.
  const drives = new Map<string, DiskDef>();
  for (const disk of def.devices.disks) {
    const a = disk.address;
    if (a?.type !== 'drive') continue;
    const key = `${disk.target.bus}/${a.controller}/${a.bus}/${a.target}/${a.unit}`;
    const first = drives.get(key);
    if (first !== undefined) {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D,
        `Found duplicate drive address for disk with target name '${first.target.dev}' controller='${a.controller}' bus='${a.bus}' target='${a.target}' unit='${a.unit}'`);
    }
    drives.set(key, disk);
  }
  const orders = new Set<number>();
  const bootable = [...def.devices.disks, ...def.devices.interfaces];
  for (const dev of bootable) {
    if (dev.bootOrder === undefined) continue;
    if (orders.has(dev.bootOrder)) {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `boot order '${dev.bootOrder}' used for more than one device`);
    }
    orders.add(dev.bootOrder);
  }
}

/**
 * More iothreads than this are refused. libvirt has no bound: it allocates an id per thread (10 million take
 * it 1.8 s) until it crashes for want of memory (at 4294967294). A host has far fewer CPUs to run them on.
 */
export const MAX_IOTHREADS = 16384;

/** Ids 1, 2, ... not taken by an explicit `<iothread id=...>`, until there are `<iothreads>` of them. */
function fillIOThreadIds(def: DomainDef): void {
  const ids = def.iothreadIds;
  // libvirt numbers its id map from 1 in an unsigned int, which wraps for the largest count.
  if (def.iothreads === 0xffff_ffff) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, 'failed to populate iothreadids');
  if (def.iothreads > MAX_IOTHREADS) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `iothreads count ${def.iothreads} exceeds the limit of ${MAX_IOTHREADS}`);
  }
  def.iothreads = Math.max(def.iothreads, ids.length);
  const taken = new Set(ids.map((t) => t.id));
  for (let next = 1; ids.length < def.iothreads; next++) {
    if (!taken.has(next)) ids.push({ id: next, autofill: true });
  }
}

/** An HVM guest boots from its hard disk unless told otherwise, by the OS section or by its devices. */
function defaultBootDevice(def: DomainDef): void {
  const perDevice = [...def.devices.disks, ...def.devices.interfaces].some((d) => d.bootOrder !== undefined);
  if (perDevice && def.os.bootDevs.length > 0) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, 'per-device boot elements cannot be used together with os/boot elements');
  }
  if (def.os.type === 'hvm' && !perDevice && def.os.bootDevs.length === 0) def.os.bootDevs.push('hd');
}

/** Target name prefixes a hard disk may have. */
const HARDDISK_PREFIXES = ['hd', 'sd', 'vd', 'xvd', 'ubd'];

/** Buses by target name prefix, for disks that do not name theirs. */
const BUS_BY_PREFIX: [string, DiskBus][] = [['hd', 'ide'], ['sd', 'scsi'], ['vd', 'virtio'], ['xvd', 'xen'], ['ubd', 'uml']];

/** Drive address layout per bus: how many units a bus has, and how many buses a controller. */
const DRIVE_LAYOUT: Partial<Record<DiskBus, { units: number; buses: number }>> = {
  ide: { units: 2, buses: 2 },
  fdc: { units: 2, buses: 1 },
  scsi: { units: 7, buses: 1 },
  sata: { units: 6, buses: 1 },
};

function defaultDisk(disk: DiskDef): void {
  // A drive without any <source> element is taken as an empty file-backed one.
  if (disk.source === undefined) disk.type = 'file';
  if (disk.device === 'cdrom') disk.readonly = true;
  const dev = disk.target.dev;
  if (dev === undefined) return;
  disk.target.bus ??= disk.device === 'floppy' ? 'fdc' : BUS_BY_PREFIX.find(([p]) => dev.startsWith(p))?.[1] ?? 'ide';
  if (disk.address !== undefined) return;
  const index = diskNameToIndex(dev);
  if (index < 0) throw xmlError(`Unknown disk name '${dev}' and no address specified`, D);
  const layout = DRIVE_LAYOUT[disk.target.bus];
  if (layout === undefined) return;
  const perController = layout.units * layout.buses;
  disk.address = {
    type: 'drive',
    controller: Math.floor(index / perController),
    bus: Math.floor((index % perController) / layout.units),
    target: 0,
    unit: index % layout.units,
  };
}

/**
 * How many controllers of one type a drive address may call for. libvirt adds every controller below the
 * highest address without a bound (100000 take it 14 s; a disk named `sdzzzzz` never finishes), and tsvirt writes them all out again, so tsvirt
 * refuses more, as it refuses any count that would size a loop beyond reason.
 */
export const MAX_IMPLICIT_CONTROLLERS = 4096;

/** The indices taken by controllers of `type`. */
function controllerIndices(def: DomainDef, type: ControllerType): Set<number> {
  return new Set(def.devices.controllers.filter((c) => c.type === type).map((c) => c.index));
}

/** Controllers without an index take the lowest one their type has free, in document order. */
function numberControllers(def: DomainDef): void {
  const taken = new Map<ControllerType, Set<number>>();
  const next = new Map<ControllerType, number>();
  for (const c of def.devices.controllers) {
    if (!taken.has(c.type)) taken.set(c.type, controllerIndices(def, c.type));
    if (c.index !== -1) continue;
    // Indices only ever get taken, so the search can go on from where the last one for this type ended.
    const indices = taken.get(c.type)!;
    let index = next.get(c.type) ?? 0;
    while (indices.has(index)) index++;
    c.index = index;
    indices.add(index);
    next.set(c.type, index);
  }
}

function addController(def: DomainDef, type: ControllerType, index: number): void {
  if (!controllerIndices(def, type).has(index)) def.devices.controllers.push({ type, index });
}

/** Every drive address needs its controller, and all controllers of that type below it. */
function addImplicitControllers(def: DomainDef): void {
  for (const type of ['scsi', 'fdc', 'ide', 'sata'] as const) {
    let max = -1;
    for (const disk of def.devices.disks) {
      if (disk.target.bus === type && disk.address?.type === 'drive') max = Math.max(max, disk.address.controller);
    }
    // libvirt keeps the highest index in an int: from 2^31 on it is negative and no controller is added.
    if (max > 0x7fff_ffff) continue;
    if (max >= MAX_IMPLICIT_CONTROLLERS) {
      throw virError(
        ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED,
        D,
        `drive address needs ${type} controller ${max}, more than the limit of ${MAX_IMPLICIT_CONTROLLERS} controllers`,
      );
    }
    const taken = controllerIndices(def, type);
    for (let i = 0; i <= max; i++) {
      if (!taken.has(i)) def.devices.controllers.push({ type, index: i });
    }
  }
}

/** MAC addresses, and the host-side names the test driver gives interfaces (testnet0, testnet1, ...). */
function nameInterfaces(def: DomainDef): void {
  const ifaces = def.devices.interfaces;
  const taken = new Set(ifaces.map((i) => i.targetDev));
  // Names only ever get taken, so the search for the lowest free one can go on from the last.
  let next = 0;
  for (const iface of ifaces) {
    if (iface.mac === '') iface.mac = generateMac();
    if (iface.targetDev !== undefined) continue;
    while (taken.has(`testnet${next}`)) next++;
    iface.targetDev = `testnet${next}`;
    taken.add(iface.targetDev);
  }
}

/**
 * On HVM guests a serial port doubles as the first console: a console without a serial port gets one made
 * from it, and a domain with serial ports and no console gets a console copying the first port. Serial ports
 * without a number take the next one after the highest given; virtio consoles are numbered by position.
 */
function pairSerialsAndConsoles(def: DomainDef): void {
  const { serials, consoles } = def.devices;
  if (consoles.slice(1).some((c) => (c.targetType ?? 'serial') === 'serial')) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, 'Only the first console can be a serial port');
  }
  const first = consoles[0];
  const serialConsole = first !== undefined && (first.targetType ?? 'serial') === 'serial';
  if (serialConsole && serials.length === 0) {
    if (def.os.type !== 'hvm') {
      // Only HVM guests have a serial port behind the console.
      first.targetType = 'serial';
      first.targetPort = 0;
      return;
    }
    serials.push({ type: first.type, source: first.source, protocol: first.protocol });
  }
  let maxPort = serials.reduce((max, s) => Math.max(max, s.targetPort ?? -1), -1);
  for (const s of serials) if (s.targetPort === undefined) s.targetPort = ++maxPort;
  const mirror = (serial: CharDevDef): CharDevDef => ({
    type: serial.type,
    source: serial.source,
    protocol: serial.protocol,
    targetType: 'serial',
    targetPort: serial.targetPort,
  });
  if (serialConsole) consoles[0] = mirror(serials[0]!);
  else if (first === undefined && serials.length > 0 && def.os.type === 'hvm') consoles.push(mirror(serials[0]!));
  consoles.forEach((c, i) => {
    if (c.targetType === 'virtio') c.targetPort = i;
  });
}

function defaultGraphics(g: GraphicsDef): void {
  switch (g.type) {
    case 'vnc':
      if (g.port === -1) {
        g.port = undefined;
        g.autoport ??= true;
      }
      g.autoport ??= g.port === undefined;
      if (g.autoport) g.port = undefined;
      if (g.listens.length === 0) g.listens.push({ type: 'address' });
      break;
    case 'spice':
      if (g.autoport === undefined && ((g.port ?? 0) > 0 || (g.tlsPort ?? 0) > 0)) g.autoport = false;
      if (g.autoport) g.port = g.tlsPort = undefined;
      if (g.listens.length === 0) g.listens.push({ type: g.autoport !== undefined ? 'address' : 'none' });
      break;
    case 'rdp':
      if (g.port === undefined) g.autoport = true;
      if (g.listens.length === 0) g.listens.push({ type: 'address' });
      break;
  }
}

/** Video RAM sizes (KiB) libvirt gives each model when the definition has none. */
const DEFAULT_VRAM: Record<string, number> = { vga: 16384, cirrus: 16384, vmvga: 16384, xen: 4096, vbox: 16384, bochs: 16384 };

function defaultVideos(def: DomainDef): void {
  const videos = def.devices.videos;
  const primaries = videos.filter((v) => v.primary);
  if (primaries.length > 1) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, 'Only one primary video device is supported');
  }
  if (primaries.length === 1) videos.unshift(...videos.splice(videos.indexOf(primaries[0]!), 1));
  videos.forEach((v: VideoDef, i) => {
    if (v.model === '') v.model = def.os.type === 'hvm' ? 'cirrus' : 'xen';
    if (v.model === 'none') {
      // A 'none' video device has nothing to size and is no one's primary display.
      Object.assign(v, { ram: undefined, vram: undefined, vgamem: undefined, heads: undefined, primary: false });
      return;
    }
    if (v.model !== 'qxl') {
      for (const attr of ['ram', 'vgamem'] as const) {
        if (v[attr] !== undefined) {
          throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `${attr} attribute only supported for video type qxl`);
        }
      }
    }
    if (v.model === 'qxl') v.ram ||= 65536;
    v.vram ||= v.model === 'qxl' ? 65536 : DEFAULT_VRAM[v.model];
    // Video memory comes in powers of two; libvirt rounds sizes up to one.
    for (const attr of ['ram', 'vram', 'vgamem'] as const) {
      const size = v[attr];
      if (size !== undefined && size > 0) v[attr] = 2 ** Math.ceil(Math.log2(size));
    }
    v.heads ??= 1;
    v.primary = i === 0;
  });
}
