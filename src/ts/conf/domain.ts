import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';
import { parseXml, XmlWriter, type XmlElement } from '../xml/index.js';
import { CPUMASK_LEN, formatBitmap, parseBitmap } from './bitmap.js';
import {
  BOOT_DEVS,
  LIFECYCLE_ACTIONS,
  OS_TYPES,
  VIRT_TYPES,
  type BlkioTune,
  type ClockDef,
  type CpuDef,
  type DomainDef,
  type DomainDevices,
  type Feature,
  type LifecycleAction,
  type OsDef,
  type OsType,
  type Timer,
} from './domain-def.js';
import { applyDomainDefaults, validateDomain } from './domain-defaults.js';
import {
  diskNameToIndex,
  formatCharDev,
  formatController,
  formatDisk,
  formatGraphics,
  formatInput,
  formatInterface,
  formatMemballoon,
  formatVideo,
  parseCharDev,
  parseController,
  parseDisk,
  parseGraphics,
  parseInput,
  parseInterface,
  parseMemballoon,
  parseVideo,
} from './domain-devices.js';
import { parseULongLong } from './units.js';
import { generateUUID, parseUUID } from './uuid.js';
import { memoryKiB, parseWrappingUnsigned, propEnum, propInt, propOnOff, propUInt, propYesNo, xmlError } from './xml-values.js';

export type { DomainDef } from './domain-def.js';

const D = ErrorDomain.VIR_FROM_DOMAIN;
const CPU = ErrorDomain.VIR_FROM_CPU;

/** Architectures libvirt knows (virArch). */
const ARCHES = [
  'alpha', 'armv6l', 'armv7l', 'armv7b', 'aarch64', 'cris', 'i686', 'ia64', 'lm32', 'loongarch64', 'm68k',
  'microblaze', 'microblazeel', 'mips', 'mipsel', 'mips64', 'mips64el', 'openrisc', 'parisc', 'parisc64', 'ppc',
  'ppcle', 'ppc64', 'ppc64le', 'ppcemb', 'riscv32', 'riscv64', 's390', 's390x', 'sh4', 'sh4eb', 'sparc',
  'sparc64', 'unicore32', 'x86_64', 'xtensa', 'xtensaeb',
];
/** The test driver's capabilities offer only i686 guests, so that is the architecture a domain gets. */
const DEFAULT_ARCH = 'i686';

/**
 * Parses domain XML as libvirt's test driver does on define or create: libvirt's checks in libvirt's order,
 * its errors, then the defaults it fills in (memory, boot device, controllers, disk addresses, interface
 * names...). Errors are VirErrors with libvirt's codes, domains and messages.
 */
export function parseDomainXML(xml: string): DomainDef {
  return parseDomainElement(parseXml(xml, { docName: 'domain_definition', errorDomain: D }));
}

/** Like parseDomainXML, for a `<domain>` element already parsed (the test driver's node files inline them). */
export function parseDomainElement(root: XmlElement): DomainDef {
  if (root.localName !== 'domain') throw xmlError(`expecting root element of 'domain', not '${root.name}'`);

  const name = root.childText('name');
  if (name === undefined || name === '') throw virError(ErrorNumber.VIR_ERR_NO_NAME, D);
  if (name.includes('\n')) throw virError(ErrorNumber.VIR_ERR_XML_DETAIL, ErrorDomain.VIR_FROM_XML, 'invalid char in name: \n');
  const uuid = parseUuidElement(root);

  const virtType = root.attr('type');
  if (virtType === undefined || virtType === '') throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, 'missing domain type attribute');
  if (!(VIRT_TYPES as readonly string[]).includes(virtType)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `invalid domain type ${virtType}`);
  }
  const os = parseOsCaps(root.childrenNamed('os'));

  const title = root.childText('title');
  if (title?.includes('\n')) throw xmlError("Domain title can't contain newlines", D);

  const maxMemoryEl = root.child('maxMemory');
  const maxMemory = memoryKiB(maxMemoryEl, './maxMemory[1]');
  let slots: number | undefined;
  if (maxMemory !== undefined) {
    const text = maxMemoryEl!.attr('slots');
    const n = text === undefined ? null : parseULongLong(text);
    if (text !== undefined && (n === null || n > 0xffff_ffffn)) throw xmlError('Failed to parse memory slot count', D);
    if (n === null || n === 0n) throw xmlError('both maximum memory size and memory slot count must be specified', D);
    slots = Number(n);
  }
  const memoryEl = root.child('memory');
  const memory = memoryKiB(memoryEl, './memory[1]');
  const memoryDumpCore = memoryEl === undefined ? undefined : propOnOff(memoryEl, 'dumpCore');
  const currentMemory = memoryKiB(root.child('currentMemory'), './currentMemory[1]');

  const def: DomainDef = {
    virtType,
    name,
    uuid,
    title: title || undefined,
    description: root.childText('description') || undefined,
    maxMemory: maxMemory === undefined ? undefined : { kib: maxMemory, slots },
    memory: memory ?? 0,
    memoryDumpCore,
    currentMemory: currentMemory ?? 0,
    blkiotune: parseBlkioTune(root.childrenNamed('blkiotune')),
    vcpus: 1,
    vcpuPlacement: 'static',
    iothreads: 0,
    iothreadIds: [],
    os,
    features: [],
    numatuneAuto: false,
    clock: { offset: 'utc', timers: [] },
    onPoweroff: 'destroy',
    onReboot: 'restart',
    onCrash: 'destroy',
    devices: emptyDevices(),
  };
  parseVcpu(root.child('vcpu'), def);
  parseIOThreads(root, def);
  def.cpu = parseCpu(root.child('cpu'));
  def.features = parseFeatures(root.child('features'));
  def.onPoweroff = parseLifecycle(root, 'on_poweroff', 'destroy');
  def.onReboot = parseLifecycle(root, 'on_reboot', 'restart');
  def.onCrash = parseLifecycle(root, 'on_crash', 'destroy');
  def.onLockfailure = parseLockFailure(root);
  def.clock = parseClock(root.childrenNamed('clock'));
  parseOsBoot(root.childrenNamed('os'), def.os);
  def.devices = parseDevices(root.childrenNamed('devices'));

  applyDomainDefaults(def);
  validateDomain(def);
  return def;
}

function parseUuidElement(root: XmlElement): string {
  const text = root.childText('uuid');
  if (text === undefined || text === '') return generateUUID();
  const uuid = parseUUID(text);
  if (uuid === null) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, 'malformed uuid element');
  return uuid;
}

/**
 * The part of <os> checked against the capabilities, which libvirt does right after the IDs. Like libvirt's
 * XPath queries, the attributes come from the first <os><type> that has them.
 */
function parseOsCaps(all: XmlElement[]): OsDef {
  const types = all.flatMap((os) => os.child('type') ?? []);
  const type = types[0]?.text() ?? '';
  if (type === '') throw xmlError('an os <type> must be specified', D);
  if (!(OS_TYPES as readonly string[]).includes(type)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown OS type '${type}'`);
  }
  const attr = (name: string) => types.map((t) => t.attr(name)).find((v) => v !== undefined);
  const arch = attr('arch') || DEFAULT_ARCH;
  if (!ARCHES.includes(arch)) throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `Unknown architecture ${arch}`);
  return { type: type as OsType, arch, machine: attr('machine'), initargs: [], bootDevs: [] };
}

/** <blkiotune>: the first one's weight, and the devices of all of them (libvirt queries them with XPath). */
function parseBlkioTune(all: XmlElement[]): BlkioTune | undefined {
  const el = all[0];
  if (el === undefined) return undefined;
  const tune: BlkioTune = { devices: [] };
  const weight = parseULongLong(el.childText('weight') ?? '');
  if (weight !== null && weight <= 0xffff_ffffn) tune.weight = Number(weight);
  const paths = new Set<string>();
  for (const dev of all.flatMap((b) => b.childrenNamed('device'))) {
    const path = dev.childText('path');
    if (path === undefined || path === '') throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, 'missing per-device path');
    if (paths.has(path)) {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `duplicate blkio device path '${path}'`);
    }
    paths.add(path);
    // strtoul/strtoull as libvirt calls them: a '-' wraps around; zero or nothing means "not set".
    const value = (element: string, bits: 32 | 64) => {
      const text = dev.childText(element);
      if (text === undefined || text === '') return undefined;
      const n = parseWrappingUnsigned(text, bits);
      if (n === null) {
        throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `could not parse ${element.replace(/_/g, ' ')} ${text}`);
      }
      return n === 0n ? undefined : n;
    };
    const weight = value('weight', 32);
    tune.devices.push({
      path,
      weight: weight === undefined ? undefined : Number(weight),
      readIopsSec: value('read_iops_sec', 32),
      writeIopsSec: value('write_iops_sec', 32),
      readBytesSec: value('read_bytes_sec', 64),
      writeBytesSec: value('write_bytes_sec', 64),
    });
  }
  return tune.weight === undefined && tune.devices.length === 0 ? undefined : tune;
}

function parseVcpu(el: XmlElement | undefined, def: DomainDef): void {
  if (el === undefined) return;
  const count = parseULongLong(el.text());
  if (count === null || count > 0xffff_ffffn) throw xmlError('maximum vcpus count must be an integer', D);
  def.vcpus = Number(count);
  def.vcpuPlacement = propEnum(el, 'placement', ['static', 'auto'] as const) ?? 'static';
  const current = propUInt(el, 'current');
  if (current !== undefined && current > def.vcpus) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, 'maximum vCPU count must not be less than current vCPU count');
  }
  if (current !== def.vcpus) def.vcpuCurrent = current;
  const cpuset = el.attr('cpuset');
  if (cpuset !== undefined) {
    const cpus = parseBitmap(cpuset);
    if (cpus.length === 0) throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `Invalid value of 'cpuset': ${cpuset}`);
    // A set of every possible CPU restricts nothing, and libvirt forgets it.
    if (cpus.length < CPUMASK_LEN) def.vcpuCpuset = formatBitmap(cpus);
  }
}

function parseIOThreads(root: XmlElement, def: DomainDef): void {
  const text = root.childText('iothreads');
  if (text !== undefined) {
    const n = parseULongLong(text);
    if (n === null || n > 0xffff_ffffn) throw xmlError(`invalid iothreads count '${text}'`, D);
    def.iothreads = Number(n);
  }
  const seen = new Set<number>();
  for (const el of root.childrenNamed('iothreadids').flatMap((ids) => ids.childrenNamed('iothread'))) {
    const id = propUInt(el, 'id', { required: true, nonZero: true })!;
    if (seen.has(id)) throw xmlError(`duplicate iothread id '${id}' found`, D);
    seen.add(id);
    def.iothreadIds.push({ id, autofill: false });
  }
}

function parseCpu(el: XmlElement | undefined): CpuDef | undefined {
  if (el === undefined) return undefined;
  const mode = el.attr('mode');
  if (mode !== undefined && !['custom', 'host-model', 'host-passthrough', 'maximum'].includes(mode)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, CPU, `Invalid mode attribute '${mode}'`);
  }
  const cpu: CpuDef = {
    mode,
    match: propEnum(el, 'match', ['minimum', 'exact', 'strict'] as const),
    check: propEnum(el, 'check', ['none', 'partial', 'full'] as const),
    features: [],
  };
  const model = el.child('model');
  if (model !== undefined && model.text() !== '') {
    const fallback = model.attr('fallback') || undefined;
    if (fallback !== undefined && fallback !== 'allow' && fallback !== 'forbid') {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, CPU, 'Invalid fallback attribute');
    }
    cpu.model = { name: model.text(), fallback };
  }
  cpu.vendor = el.childText('vendor') || undefined;
  const topology = el.child('topology');
  if (topology !== undefined) {
    const n = (attr: string) => propUInt(topology, attr, { required: true, nonZero: true })!;
    const dies = propUInt(topology, 'dies', { nonZero: true }) ?? 1;
    cpu.topology = { sockets: n('sockets'), dies, cores: n('cores'), threads: n('threads') };
  }
  const features = el.childrenNamed('feature');
  if (features.length > 0 && cpu.model === undefined && (mode ?? 'custom') === 'custom') {
    throw xmlError('Non-empty feature list specified without CPU model', CPU);
  }
  for (const f of features) {
    const policy = f.attr('policy');
    if (policy !== undefined && !['force', 'require', 'optional', 'disable', 'forbid'].includes(policy)) {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, CPU, 'Invalid CPU feature policy');
    }
    const name = f.attr('name');
    if (name === undefined) throw xmlError('Invalid CPU feature name', CPU);
    cpu.features.push({ policy, name });
  }
  return cpu;
}

/** libvirt's features in its print order, and how tsvirt treats each. */
type FeatureKind = 'flag' | 'apic' | 'gic' | 'state' | 'required-state' | 'choice' | 'dropped';
/** For 'choice' features: the attribute and its values; the feature is kept only when it has one. */
const FEATURES: [name: string, kind: FeatureKind, choice?: string[]][] = [
  ['acpi', 'flag'],
  ['apic', 'apic'],
  ['pae', 'flag'],
  ['hap', 'state'],
  ['viridian', 'flag'],
  ['privnet', 'flag'],
  ['hyperv', 'dropped'],
  ['kvm', 'dropped'],
  ['pvspinlock', 'state'],
  ['capabilities', 'dropped'],
  ['pmu', 'state'],
  ['vmport', 'state'],
  ['gic', 'gic'],
  ['smm', 'state'],
  ['ioapic', 'choice', ['driver', 'kvm', 'qemu']],
  ['hpt', 'choice', ['resizing', 'enabled', 'disabled', 'required']],
  ['vmcoreinfo', 'state'],
  ['htm', 'required-state'],
  ['nested-hv', 'required-state'],
  ['msrs', 'dropped'],
  ['ccf-assist', 'required-state'],
  ['xen', 'dropped'],
  ['cfpc', 'dropped'],
  ['sbbc', 'dropped'],
  ['ibs', 'dropped'],
  ['tcg', 'dropped'],
];

function parseFeatures(el: XmlElement | undefined): Feature[] {
  const found = new Map<string, Feature>();
  for (const child of el?.children ?? []) {
    const spec = FEATURES.find(([name]) => name === child.name);
    if (spec === undefined) throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unexpected feature '${child.name}'`);
    const [name, kind, choice] = spec;
    const feature: Feature = { name, attrs: [] };
    switch (kind) {
      case 'apic': {
        const eoi = propOnOff(child, 'eoi');
        if (eoi !== undefined) feature.attrs.push(['eoi', eoi]);
        break;
      }
      case 'state':
        feature.attrs.push(['state', propOnOff(child, 'state') ?? 'on']);
        break;
      case 'required-state':
        feature.attrs.push(['state', propEnum(child, 'state', ['on', 'off'] as const, { required: true })!]);
        break;
      case 'gic': {
        const version = propEnum(child, 'version', ['2', '3', 'host'] as const);
        if (version !== undefined) feature.attrs.push(['version', version]);
        break;
      }
      case 'choice': {
        const [attr, ...values] = choice!;
        const value = propEnum(child, attr!, values);
        if (value === undefined) continue;
        feature.attrs.push([attr!, value]);
        break;
      }
    }
    if (kind !== 'dropped' && !found.has(name)) found.set(name, feature);
  }
  return FEATURES.flatMap(([name]) => found.get(name) ?? []);
}

function parseLifecycle(root: XmlElement, element: string, fallback: LifecycleAction): LifecycleAction {
  const text = root.childText(element);
  if (text === undefined || text === '') return fallback;
  if (!(LIFECYCLE_ACTIONS as readonly string[]).includes(text)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown ${element} action: ${text}`);
  }
  return text as LifecycleAction;
}

function parseLockFailure(root: XmlElement): string | undefined {
  const text = root.childText('on_lockfailure');
  if (text === undefined || text === '') return undefined;
  if (!['poweroff', 'restart', 'pause', 'ignore'].includes(text)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown on_lockfailure action: ${text}`);
  }
  return text;
}

/** <clock>: the first one's settings, and the timers of all of them (libvirt queries them with XPath). */
function parseClock(all: XmlElement[]): ClockDef {
  const clock: ClockDef = { offset: 'utc', timers: [] };
  const el = all[0];
  if (el === undefined) return clock;
  const offset = el.attr('offset') ?? 'utc';
  if (!['utc', 'localtime', 'timezone', 'variable', 'absolute'].includes(offset)) {
    throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown clock offset '${offset}'`);
  }
  clock.offset = offset as ClockDef['offset'];
  const adjustment = el.attr('adjustment');
  switch (clock.offset) {
    case 'utc':
    case 'localtime':
      if (adjustment === 'reset') clock.adjustment = 'reset';
      else if (adjustment !== undefined) {
        // A numeric adjustment turns the clock into a variable one based on the original offset.
        const n = parseCLongLong(adjustment);
        if (n !== null) {
          clock.basis = clock.offset;
          clock.offset = 'variable';
          clock.adjustment = n;
        }
      }
      break;
    case 'variable': {
      clock.adjustment = (adjustment === undefined ? null : parseCLongLong(adjustment)) ?? '0';
      const basis = el.attr('basis') || 'utc';
      if (basis !== 'utc' && basis !== 'localtime') {
        throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown clock basis '${basis}'`);
      }
      clock.basis = basis;
      break;
    }
    case 'timezone':
      clock.timezone = el.attr('timezone');
      if (clock.timezone === undefined) {
        throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, "missing 'timezone' attribute for clock with offset='timezone'");
      }
      break;
    case 'absolute':
      clock.start = el.attr('start');
      if (clock.start === undefined || parseULongLong(clock.start) === null) {
        throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, "missing 'start' attribute for clock with offset='absolute'");
      }
      break;
  }
  for (const t of all.flatMap((c) => c.childrenNamed('timer'))) {
    const timer: Timer = {
      name: propEnum(t, 'name', ['platform', 'pit', 'rtc', 'hpet', 'tsc', 'kvmclock', 'hypervclock', 'armvtimer'] as const, { required: true })!,
      present: propYesNo(t, 'present'),
      tickpolicy: propEnum(t, 'tickpolicy', ['delay', 'catchup', 'merge', 'discard'] as const),
      track: propEnum(t, 'track', ['boot', 'guest', 'wall', 'realtime'] as const),
      frequency: t.attr('frequency'),
      mode: propEnum(t, 'mode', ['auto', 'native', 'emulate', 'paravirt', 'smpsafe'] as const),
    };
    clock.timers.push(timer);
  }
  return clock;
}

/** A long long as text, or null (the clock adjustment is one). */
function parseCLongLong(text: string): string | null {
  const m = /^[ \t\n\v\f\r]*([+-]?[0-9]+)$/.exec(text);
  if (m === null) return null;
  const n = BigInt(m[1]!);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n.toString() : null;
}

/**
 * The rest of <os>: firmware, kernel and boot order, which libvirt reads after the clock. Boot devices come
 * from every <os> element, as libvirt's XPath query finds them.
 */
function parseOsBoot(all: XmlElement[], os: OsDef): void {
  // Each setting comes from the first <os> that has it, as libvirt's XPath queries find it.
  const child = (name: string) => all.map((o) => o.child(name)).find((c) => c !== undefined);
  const childText = (name: string) => child(name)?.text();
  if (os.type === 'exe') {
    os.init = childText('init') || undefined;
    if (os.init === undefined) throw xmlError('init binary must be specified', D);
    os.initargs = all.flatMap((o) => o.childrenNamed('initarg')).map((a) => a.text());
  }
  const loader = child('loader');
  if (loader !== undefined) {
    const path = loader.text();
    const readonly = propYesNo(loader, 'readonly');
    const secure = propYesNo(loader, 'secure');
    const type = propEnum(loader, 'type', ['rom', 'pflash'] as const) ?? 'rom';
    if (path === '') {
      throw virError(ErrorNumber.VIR_ERR_XML_DETAIL, D, 'no loader path specified and firmware auto selection disabled');
    }
    os.loader = { path, readonly, secure, type };
  }
  os.nvram = childText('nvram') || undefined;
  if (os.type !== 'linux' && os.type !== 'exe') {
    os.kernel = childText('kernel') || undefined;
    os.initrd = childText('initrd') || undefined;
    os.cmdline = childText('cmdline') || undefined;
    os.dtb = childText('dtb') || undefined;
    os.root = childText('root') || undefined;
  }
  for (const boot of all.flatMap((o) => o.childrenNamed('boot')).slice(0, 4)) {
    os.bootDevs.push(propEnum(boot, 'dev', BOOT_DEVS, { required: true })!);
  }
  const bootmenu = child('bootmenu');
  if (bootmenu !== undefined) {
    const enable = propYesNo(bootmenu, 'enable');
    if (enable !== undefined) os.bootmenu = { enable, timeout: propUInt(bootmenu, 'timeout') };
  }
  const bios = child('bios');
  if (bios !== undefined) {
    const useserial = bios.attr('useserial');
    // Anything but "yes" reads as "no".
    os.bios = { useserial: useserial === undefined ? undefined : useserial === 'yes' ? 'yes' : 'no', rebootTimeout: propInt(bios, 'rebootTimeout') };
  }
  const smbios = child('smbios')?.attr('mode');
  if (smbios !== undefined) {
    if (smbios !== 'emulate' && smbios !== 'host' && smbios !== 'sysinfo') {
      throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, D, `unknown smbios mode '${smbios}'`);
    }
    os.smbios = smbios;
  }
}

function emptyDevices(): DomainDevices {
  return { disks: [], controllers: [], interfaces: [], serials: [], consoles: [], inputs: [], graphics: [], videos: [] };
}

/** Devices from every <devices> element, kind by kind in libvirt's parse order. */
function parseDevices(containers: XmlElement[]): DomainDevices {
  const devices = emptyDevices();
  const all = (name: string) => containers.flatMap((c) => c.childrenNamed(name));
  devices.emulator = all('emulator').map((e) => e.text()).find((t) => t !== '');
  devices.disks = groupedInOrder(all('disk').map(parseDisk), (d) => d.target.bus, (d) => diskNameToIndex(d.target.dev));
  devices.controllers = groupedInOrder(all('controller').map(parseController), (c) => c.type, (c) => (c.index === -1 ? undefined : c.index));
  devices.interfaces = all('interface').map(parseInterface);
  devices.serials = all('serial').map((el) => parseCharDev(el, 'serial'));
  devices.consoles = all('console').map((el) => parseCharDev(el, 'console'));
  devices.inputs = all('input').map(parseInput);
  devices.graphics = all('graphics').map(parseGraphics);
  devices.videos = all('video').map(parseVideo);
  const balloons = all('memballoon');
  if (balloons.length > 1) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, D, 'only a single memory balloon device is supported');
  if (balloons.length === 1) devices.memballoon = parseMemballoon(balloons[0]!);
  return devices;
}

/**
 * libvirt keeps disks, and controllers, grouped the way its insert functions place them: a new one goes before
 * the first of its group with a higher number, else after the last of its group, else at the end; a controller
 * without an index yet (rank undefined) goes right after the last of its group. For disks the group is the
 * bus as written (absent counts as a group of its own), so the order can change when a definition is read
 * again after its defaults were filled in, as in libvirt.
 *
 * Inserting one by one that way keeps each group together, the groups in the order they first appear, and the
 * numbered members sorted, equal numbers in document order; an unnumbered member stays behind every member
 * before it and ahead of later ones with a number not below the highest before it. So the order is a stable
 * sort with that highest number as the unnumbered member's key, built here without libvirt's quadratic cost
 * (a definition may hold hundreds of thousands of devices).
 */
function groupedInOrder<T>(items: T[], group: (t: T) => unknown, rank: (t: T) => number | undefined): T[] {
  const groups = new Map<unknown, { members: { item: T; key: number }[]; highest: number }>();
  for (const item of items) {
    const name = group(item);
    let g = groups.get(name);
    if (g === undefined) groups.set(name, (g = { members: [], highest: -Infinity }));
    const key = rank(item) ?? g.highest;
    g.highest = Math.max(g.highest, key);
    g.members.push({ item, key });
  }
  // Array.prototype.sort is stable, which keeps equal keys in document order.
  return [...groups.values()].flatMap((g) => g.members.sort((a, b) => a.key - b.key).map((m) => m.item));
}

export interface FormatDomainOptions {
  /** The id of a running domain, printed as `id='N'` on the root element (-1, inactive, is not printed). */
  id?: number;
  /** The persistent configuration: no live id even when one is given. */
  inactive?: boolean;
}

/** Prints a definition exactly as libvirt 9.0's test driver does (`virsh dumpxml`). */
export function formatDomainXML(def: DomainDef, opts: FormatDomainOptions = {}): string {
  const w = new XmlWriter();
  const id = opts.inactive || opts.id === undefined || opts.id < 0 ? undefined : opts.id;
  w.open('domain', [['type', def.virtType], ['id', id]]);
  w.text('name', def.name).text('uuid', def.uuid).text('title', def.title).text('description', def.description);
  if (def.maxMemory !== undefined) w.text('maxMemory', def.maxMemory.kib, [['slots', def.maxMemory.slots], ['unit', 'KiB']]);
  w.text('memory', def.memory, [['dumpCore', def.memoryDumpCore], ['unit', 'KiB']]);
  w.text('currentMemory', def.currentMemory, [['unit', 'KiB']]);
  if (def.blkiotune !== undefined) formatBlkioTune(w, def.blkiotune);
  w.text('vcpu', def.vcpus, [['placement', def.vcpuPlacement], ['cpuset', def.vcpuCpuset], ['current', def.vcpuCurrent]]);
  if (def.iothreads > 0) w.text('iothreads', def.iothreads);
  if (def.iothreadIds.some((t) => !t.autofill)) {
    w.open('iothreadids');
    for (const t of def.iothreadIds) w.empty('iothread', [['id', t.id]]);
    w.close('iothreadids');
  }
  if (def.numatuneAuto) w.open('numatune').empty('memory', [['mode', 'strict'], ['placement', 'auto']]).close('numatune');
  formatOs(w, def.os);
  if (def.features.length > 0) {
    w.open('features');
    for (const f of def.features) w.empty(f.name, f.attrs);
    w.close('features');
  }
  if (def.cpu !== undefined) formatCpu(w, def.cpu);
  formatClock(w, def.clock);
  w.text('on_poweroff', def.onPoweroff).text('on_reboot', def.onReboot).text('on_crash', def.onCrash);
  w.text('on_lockfailure', def.onLockfailure);
  formatDevices(w, def.devices);
  w.close('domain');
  return w.toString();
}

function formatBlkioTune(w: XmlWriter, tune: BlkioTune): void {
  w.open('blkiotune');
  w.text('weight', tune.weight);
  for (const d of tune.devices) {
    w.open('device').text('path', d.path).text('weight', d.weight);
    w.text('read_iops_sec', d.readIopsSec).text('write_iops_sec', d.writeIopsSec);
    w.text('read_bytes_sec', d.readBytesSec).text('write_bytes_sec', d.writeBytesSec);
    w.close('device');
  }
  w.close('blkiotune');
}

function formatOs(w: XmlWriter, os: OsDef): void {
  w.open('os');
  w.text('type', os.type, [['arch', os.arch], ['machine', os.machine]]);
  w.text('init', os.init);
  for (const arg of os.initargs) w.text('initarg', arg);
  if (os.loader !== undefined) {
    const l = os.loader;
    w.text('loader', l.path, [['readonly', l.readonly], ['secure', l.secure], ['type', l.type]]);
  }
  w.text('nvram', os.nvram).text('kernel', os.kernel).text('initrd', os.initrd).text('cmdline', os.cmdline);
  w.text('dtb', os.dtb).text('root', os.root);
  for (const dev of os.bootDevs) w.empty('boot', [['dev', dev]]);
  if (os.bootmenu !== undefined) w.empty('bootmenu', [['enable', os.bootmenu.enable], ['timeout', os.bootmenu.timeout]]);
  if (os.bios !== undefined) w.empty('bios', [['useserial', os.bios.useserial], ['rebootTimeout', os.bios.rebootTimeout]]);
  if (os.smbios !== undefined) w.empty('smbios', [['mode', os.smbios]]);
  w.close('os');
}

function formatCpu(w: XmlWriter, cpu: CpuDef): void {
  const attrs: [string, string | undefined][] = [['mode', cpu.mode], ['match', cpu.match], ['check', cpu.check]];
  w.block('cpu', attrs, (inner) => {
    if (cpu.model !== undefined) inner.text('model', cpu.model.name, [['fallback', cpu.model.fallback]]);
    inner.text('vendor', cpu.vendor);
    const t = cpu.topology;
    if (t !== undefined) {
      inner.empty('topology', [['sockets', t.sockets], ['dies', t.dies], ['cores', t.cores], ['threads', t.threads]]);
    }
    for (const f of cpu.features) inner.empty('feature', [['policy', f.policy], ['name', f.name]]);
  });
}

function formatClock(w: XmlWriter, clock: ClockDef): void {
  const attrs: [string, string | undefined][] = [
    ['offset', clock.offset],
    ['timezone', clock.timezone],
    ['adjustment', clock.adjustment],
    ['basis', clock.basis],
    ['start', clock.start],
  ];
  w.block('clock', attrs, (inner) => {
    for (const t of clock.timers) {
      inner.empty('timer', [
        ['name', t.name],
        ['present', t.present],
        ['tickpolicy', t.tickpolicy],
        ['track', t.track],
        ['frequency', t.frequency],
        ['mode', t.mode],
      ]);
    }
  });
}

function formatDevices(w: XmlWriter, d: DomainDevices): void {
  w.open('devices');
  w.text('emulator', d.emulator);
  for (const disk of d.disks) formatDisk(w, disk);
  for (const c of d.controllers) formatController(w, c);
  for (const iface of d.interfaces) formatInterface(w, iface);
  for (const s of d.serials) formatCharDev(w, 'serial', s);
  for (const c of d.consoles) formatCharDev(w, 'console', c);
  for (const input of d.inputs) formatInput(w, input);
  for (const g of d.graphics) formatGraphics(w, g);
  for (const v of d.videos) formatVideo(w, v);
  if (d.memballoon !== undefined) formatMemballoon(w, d.memballoon);
  w.close('devices');
}

/**
 * A copy of a definition made the way libvirt makes one (virDomainDefCopy): printed and read back. libvirt
 * does this for the persistent configuration when a domain starts, and reading back can reorder disks.
 */
export function copyDomainDef(def: DomainDef): DomainDef {
  return parseDomainXML(formatDomainXML(def, { inactive: true }));
}
