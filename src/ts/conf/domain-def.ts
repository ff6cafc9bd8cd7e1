/**
 * The typed domain definition: what parseDomainXML produces and formatDomainXML prints. Plain, mutable data,
 * so drivers can change a definition (memory, vCPUs, devices) and print it again.
 *
 * It covers the part of libvirt's domain XML that tsvirt models; elements outside it are dropped on parse,
 * as libvirt drops elements it does not know.
 */

export const VIRT_TYPES = [
  'none', 'qemu', 'kqemu', 'kvm', 'xen', 'lxc', 'uml', 'openvz', 'test', 'vmware', 'hyperv', 'vbox', 'phyp',
  'parallels', 'bhyve', 'vz',
] as const;

export const OS_TYPES = ['hvm', 'xen', 'linux', 'exe', 'uml', 'xenpvh'] as const;
export type OsType = (typeof OS_TYPES)[number];

export const BOOT_DEVS = ['fd', 'cdrom', 'hd', 'network'] as const;
export type BootDev = (typeof BOOT_DEVS)[number];

export const LIFECYCLE_ACTIONS = ['destroy', 'restart', 'rename-restart', 'preserve', 'coredump-destroy', 'coredump-restart'] as const;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

export interface DomainDef {
  /** The hypervisor type, `<domain type=...>`. */
  virtType: string;
  name: string;
  /** Canonical lowercase 8-4-4-4-12 form. */
  uuid: string;
  title?: string;
  description?: string;
  maxMemory?: { kib: number; slots?: number };
  /** Maximum memory in KiB (`<memory>`). */
  memory: number;
  memoryDumpCore?: 'on' | 'off';
  /** Current memory in KiB (`<currentMemory>`). */
  currentMemory: number;
  blkiotune?: BlkioTune;
  vcpus: number;
  vcpuCurrent?: number;
  vcpuPlacement: 'static' | 'auto';
  /** A cpuset in libvirt's canonical form (`0-3,6`). */
  vcpuCpuset?: string;
  iothreads: number;
  iothreadIds: IOThreadId[];
  cpu?: CpuDef;
  os: OsDef;
  /** Features in libvirt's order, with their attributes. */
  features: Feature[];
  /** `<numatune>` with automatic placement, which libvirt adds for `<vcpu placement='auto'>`. */
  numatuneAuto: boolean;
  clock: ClockDef;
  onPoweroff: LifecycleAction;
  onReboot: LifecycleAction;
  onCrash: LifecycleAction;
  onLockfailure?: string;
  devices: DomainDevices;
}

export interface BlkioTune {
  weight?: number;
  devices: BlkioDevice[];
}

export interface BlkioDevice {
  path: string;
  weight?: number;
  readIopsSec?: bigint;
  writeIopsSec?: bigint;
  readBytesSec?: bigint;
  writeBytesSec?: bigint;
}

export interface IOThreadId {
  id: number;
  /** Filled in by libvirt to reach the <iothreads> count, rather than written by the user. */
  autofill: boolean;
}

export interface CpuDef {
  mode?: string;
  match?: string;
  check?: string;
  model?: { name: string; fallback?: string };
  vendor?: string;
  topology?: { sockets: number; dies: number; cores: number; threads: number };
  features: { policy?: string; name: string }[];
}

export interface OsDef {
  type: OsType;
  arch: string;
  machine?: string;
  init?: string;
  initargs: string[];
  loader?: { path: string; readonly?: 'yes' | 'no'; secure?: 'yes' | 'no'; type: 'rom' | 'pflash' };
  nvram?: string;
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  dtb?: string;
  root?: string;
  bootDevs: BootDev[];
  bootmenu?: { enable: 'yes' | 'no'; timeout?: number };
  bios?: { useserial?: 'yes' | 'no'; rebootTimeout?: number };
  smbios?: 'emulate' | 'host' | 'sysinfo';
}

export interface Feature {
  name: string;
  /** Attributes in print order. */
  attrs: [string, string][];
}

export interface ClockDef {
  offset: 'utc' | 'localtime' | 'timezone' | 'variable' | 'absolute';
  adjustment?: string;
  basis?: 'utc' | 'localtime';
  timezone?: string;
  start?: string;
  timers: Timer[];
}

export interface Timer {
  name: string;
  present?: 'yes' | 'no';
  tickpolicy?: string;
  track?: string;
  frequency?: string;
  mode?: string;
}

export interface DomainDevices {
  emulator?: string;
  disks: DiskDef[];
  controllers: ControllerDef[];
  interfaces: InterfaceDef[];
  serials: CharDevDef[];
  consoles: CharDevDef[];
  inputs: InputDef[];
  graphics: GraphicsDef[];
  videos: VideoDef[];
  memballoon?: MemballoonDef;
}

export type Address =
  | { type: 'pci'; domain?: number; bus?: number; slot?: number; function?: number; multifunction?: 'on' | 'off' }
  | { type: 'drive'; controller: number; bus: number; target: number; unit: number };

/** What every device may carry besides its own settings. */
export interface DeviceInfo {
  bootOrder?: number;
  address?: Address;
}

export const DISK_BUSES = ['ide', 'fdc', 'scsi', 'virtio', 'xen', 'usb', 'uml', 'sata', 'sd'] as const;
export type DiskBus = (typeof DISK_BUSES)[number];

export interface DiskDef extends DeviceInfo {
  type: 'file' | 'block' | 'dir' | 'network' | 'volume';
  device: 'disk' | 'cdrom' | 'floppy' | 'lun';
  rawio?: 'yes' | 'no';
  snapshot?: string;
  /** `<driver>` attributes in print order. */
  driver: [string, string][];
  source?: DiskSource;
  /** dev is undefined when the target names none (an error, reported by validation). */
  target: { dev?: string; bus?: DiskBus; tray?: 'open' | 'closed'; removable?: 'on' | 'off' };
  readonly: boolean;
  shareable: boolean;
  transient: boolean;
  serial?: string;
  wwn?: string;
  vendor?: string;
  product?: string;
}

export interface DiskSource {
  /** file, dev or dir path, by disk type. */
  path?: string;
  startupPolicy?: string;
  protocol?: string;
  name?: string;
  hosts: { name?: string; port?: string; transport?: string; socket?: string }[];
  pool?: string;
  volume?: string;
  mode?: string;
}

export const CONTROLLER_TYPES = ['ide', 'fdc', 'scsi', 'sata', 'virtio-serial', 'ccid', 'usb', 'pci', 'xenbus', 'isa'] as const;
export type ControllerType = (typeof CONTROLLER_TYPES)[number];

export interface ControllerDef extends DeviceInfo {
  type: ControllerType;
  index: number;
  model?: string;
}

export interface InterfaceDef extends DeviceInfo {
  type: string;
  mac: string;
  source?: { network?: string; portgroup?: string; bridge?: string; dev?: string; mode?: string };
  script?: string;
  targetDev?: string;
  model?: string;
  linkState?: 'up' | 'down';
  mtu?: number;
}

/** A serial port or console: where the host end goes, and the guest end. */
export interface CharDevDef extends DeviceInfo {
  type: string;
  source?: { path?: string; mode?: string; host?: string; service?: string };
  protocol?: string;
  targetType?: string;
  targetPort?: number;
  targetModel?: string;
}

export interface InputDef extends DeviceInfo {
  type: 'mouse' | 'tablet' | 'keyboard' | 'passthrough' | 'evdev';
  bus: string;
}

export interface GraphicsListen {
  type: 'address' | 'network' | 'socket' | 'none';
  address?: string;
  network?: string;
  socket?: string;
}

export interface GraphicsDef {
  type: 'sdl' | 'vnc' | 'rdp' | 'desktop' | 'spice' | 'egl-headless' | 'dbus';
  port?: number;
  tlsPort?: number;
  autoport?: boolean;
  websocket?: number;
  keymap?: string;
  sharePolicy?: string;
  passwdValidTo?: string;
  display?: string;
  xauth?: string;
  fullscreen?: 'yes' | 'no';
  listens: GraphicsListen[];
}

export interface VideoDef extends DeviceInfo {
  model: string;
  ram?: number;
  vram?: number;
  vgamem?: number;
  heads?: number;
  primary: boolean;
}

export interface MemballoonDef extends DeviceInfo {
  model: string;
  autodeflate?: 'on' | 'off';
  statsPeriod?: number;
}
