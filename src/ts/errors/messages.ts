import { ErrorNumber as E } from './codes.js';

/**
 * libvirt's message templates, keyed by error number: the bare message, and the message with a detail
 * (`%s`). libvirt builds every error text this way, so users see the same wording from tsvirt.
 */
const TEMPLATES: Partial<Record<number, readonly [string, string]>> = {
  [E.VIR_ERR_INTERNAL_ERROR]: ['internal error', 'internal error: %s'],
  [E.VIR_ERR_NO_MEMORY]: ['out of memory', 'out of memory: %s'],
  [E.VIR_ERR_NO_SUPPORT]: [
    'this function is not supported by the connection driver',
    'this function is not supported by the connection driver: %s',
  ],
  [E.VIR_ERR_NO_CONNECT]: ['no connection driver available', 'no connection driver available for %s'],
  [E.VIR_ERR_INVALID_CONN]: ['invalid connection pointer in', 'invalid connection pointer in %s'],
  [E.VIR_ERR_INVALID_DOMAIN]: ['invalid domain pointer in', 'invalid domain pointer in %s'],
  [E.VIR_ERR_INVALID_ARG]: ['invalid argument', 'invalid argument: %s'],
  [E.VIR_ERR_OPERATION_FAILED]: ['operation failed', 'operation failed: %s'],
  [E.VIR_ERR_OS_TYPE]: ['unknown OS type', 'unknown OS type %s'],
  [E.VIR_ERR_NO_NAME]: ['missing name information', 'missing name information in %s'],
  [E.VIR_ERR_NO_OS]: ['missing operating system information', 'missing operating system information for %s'],
  [E.VIR_ERR_NO_SOURCE]: ['missing source information for device', 'missing source information for device %s'],
  [E.VIR_ERR_NO_TARGET]: ['missing target information for device', 'missing target information for device %s'],
  [E.VIR_ERR_XML_ERROR]: ['XML description is invalid or not well formed', 'XML error: %s'],
  [E.VIR_ERR_DOM_EXIST]: ['this domain exists already', 'domain %s exists already'],
  [E.VIR_ERR_OPERATION_DENIED]: ['operation forbidden for read only access', 'operation forbidden: %s'],
  [E.VIR_ERR_OPEN_FAILED]: ['failed to open configuration file', 'failed to open configuration file %s'],
  [E.VIR_ERR_READ_FAILED]: ['failed to read configuration file', 'failed to read configuration file %s'],
  [E.VIR_ERR_WRITE_FAILED]: ['failed to write configuration file', 'failed to write configuration file: %s'],
  [E.VIR_ERR_XML_DETAIL]: ['parser error', '%s'],
  [E.VIR_ERR_INVALID_NETWORK]: ['invalid network pointer in', 'invalid network pointer in %s'],
  [E.VIR_ERR_NETWORK_EXIST]: ['this network exists already', 'network %s exists already'],
  [E.VIR_ERR_SYSTEM_ERROR]: ['system call error', '%s'],
  [E.VIR_ERR_RPC]: ['RPC error', '%s'],
  [E.VIR_ERR_NO_DOMAIN]: ['Domain not found', 'Domain not found: %s'],
  [E.VIR_ERR_NO_NETWORK]: ['Network not found', 'Network not found: %s'],
  [E.VIR_ERR_INVALID_MAC]: ['invalid MAC address', 'invalid MAC address: %s'],
  [E.VIR_ERR_INVALID_STORAGE_POOL]: ['invalid storage pool pointer in', 'invalid storage pool pointer in %s'],
  [E.VIR_ERR_INVALID_STORAGE_VOL]: ['invalid storage volume pointer in', 'invalid storage volume pointer in %s'],
  [E.VIR_ERR_NO_STORAGE_POOL]: ['Storage pool not found', 'Storage pool not found: %s'],
  [E.VIR_ERR_NO_STORAGE_VOL]: ['Storage volume not found', 'Storage volume not found: %s'],
  [E.VIR_ERR_OPERATION_INVALID]: ['Requested operation is not valid', 'Requested operation is not valid: %s'],
  [E.VIR_ERR_CONFIG_UNSUPPORTED]: ['unsupported configuration', 'unsupported configuration: %s'],
  [E.VIR_ERR_OPERATION_TIMEOUT]: ['Timed out during operation', 'Timed out during operation: %s'],
  [E.VIR_ERR_ARGUMENT_UNSUPPORTED]: ['argument unsupported', 'argument unsupported: %s'],
  [E.VIR_ERR_STORAGE_POOL_BUILT]: ['Storage pool already built', 'Storage pool already built: %s'],
  [E.VIR_ERR_OPERATION_ABORTED]: ['operation aborted', 'operation aborted: %s'],
  [E.VIR_ERR_OVERFLOW]: ['numerical overflow', 'numerical overflow: %s'],
  [E.VIR_ERR_OPERATION_UNSUPPORTED]: ['Operation not supported', 'Operation not supported: %s'],
  [E.VIR_ERR_RESOURCE_BUSY]: ['resource busy', 'resource busy: %s'],
  [E.VIR_ERR_STORAGE_VOL_EXIST]: ['this storage volume exists already', 'storage volume %s exists already'],
  [E.VIR_ERR_INVALID_STREAM]: ['invalid stream pointer', 'invalid stream pointer in %s'],
};

/** The text libvirt would show for `code`, with or without a detail. */
export function formatErrorMessage(code: number, detail?: string): string {
  const template = TEMPLATES[code];
  if (!template) return detail ?? 'An error occurred, but the cause is unknown';
  return detail === undefined ? template[0] : template[1].replace('%s', detail);
}

/** How libvirt names each error domain when it prints an error (virErrorDomain → text). */
const DOMAIN_NAMES = [
  '', 'Xen Driver', 'Xen Daemon', 'Xen Store', 'S-Expression',
  'XML Util', 'Domain', 'XML-RPC', 'Proxy Daemon', 'Config File',
  'QEMU Driver', 'Network', 'Test Driver', 'Remote Driver', 'OpenVZ Driver',
  'Xen XM Driver', 'Linux Statistics', 'LXC Driver', 'Storage Driver', 'Network Driver',
  'Domain Config', 'User Mode Linux Driver', 'Node Device Driver', 'Xen Inotify Driver', 'Security Driver',
  'VirtualBox Driver', 'Network Interface Driver', 'Open Nebula Driver', 'ESX Driver', 'Power Hypervisor Driver',
  'Secrets Driver', 'CPU Driver', 'XenAPI Driver', 'Network Filter Driver', 'Lifecycle Hook',
  'Domain Snapshot', 'Audit Utils', 'Sysinfo Utils', 'I/O Stream Utils', 'VMware Driver',
  'Event Loop', 'Xen Light Driver', 'Lock Driver', 'Hyper-V Driver', 'Capabilities Utils',
  'URI Utils', 'Authentication Utils', 'DBus Utils', 'Parallels Cloud Server', 'Device Config',
  'SSH transport layer', 'Lock Space', 'Init control', 'Identity', 'Cgroup',
  'Access Manager', 'Systemd', 'Bhyve', 'Crypto', 'Firewall',
  'Polkit', 'Thread jobs', 'Admin Interface', 'Log Manager', 'Xen XL Config',
  'Perf', 'Libssh transport layer', 'Resource control', 'FirewallD', 'Domain Checkpoint',
  'TPM', 'BPF', 'Cloud-Hypervisor Driver',
] as const;

export function errorDomainName(domain: number): string {
  return DOMAIN_NAMES[domain] ?? 'Unknown';
}
