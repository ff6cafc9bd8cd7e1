// Which daemon a remote URI reaches and what name CONNECT_OPEN gives it, as libvirt's remote driver decides:
// `DRIVER+unix:///PATH?socket=SOCK` (or no transport and no host: the local daemon's socket), the transport
// taken out of the scheme and the parameters the remote driver itself consumes taken out of the query.
import { join } from 'node:path';
import { ErrorDomain, ErrorNumber, VirError } from '../../errors/index.js';

export interface RemoteTarget {
  /** The unix socket to connect to. */
  socketPath: string;
  /** The URI sent in CONNECT_OPEN: the transport and the remote driver's own parameters removed. */
  openName: string;
  /** The URI the connection reports (virConnectGetURI): what the caller gave. */
  uri: string;
}

/** Query parameters that configure the remote driver's transport; the daemon never sees them. */
const REMOTE_PARAMS = new Set([
  'name',
  'command',
  'socket',
  'auth',
  'netcat',
  'keyfile',
  'sshauth',
  'no_verify',
  'no_tty',
  'pkipath',
  'known_hosts',
  'known_hosts_verify',
  'tls_priority',
  'mode',
  'proxy',
]);

/** libvirtd's sockets: the system daemon's (and its read-only one), and a user's session daemon's. */
export const SYSTEM_SOCKET = '/var/run/libvirt/libvirt-sock';
export const SYSTEM_SOCKET_RO = '/var/run/libvirt/libvirt-sock-ro';

/** node:os on first use: a short tsvirsh command through a socket does not need it (0.5 ms of its start). */
const homedir = () => process.getBuiltinModule('node:os').homedir();

export function sessionSocket(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR || join(env.HOME || homedir(), '.cache');
  return join(runtime, 'libvirt', 'libvirt-sock');
}

/** tsvirtd's default socket ($XDG_RUNTIME_DIR/tsvirt/tsvirt-sock), for tsvirt+unix:///session without socket=. */
function tsvirtdSocket(env: NodeJS.ProcessEnv = process.env): string {
  const runtime = env.XDG_RUNTIME_DIR || join(env.HOME || homedir(), '.cache');
  return join(runtime, 'tsvirt', 'tsvirt-sock');
}

const unsupported = (message: string) => new VirError(ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_REMOTE, message);

/** Splits `a=1&b=2` into raw (still percent-encoded) pairs. */
function rawParams(search: string): [string, string, string][] {
  if (!search || search === '?') return [];
  return search
    .slice(1)
    .split('&')
    .filter(Boolean)
    .map((part) => {
      const at = part.indexOf('=');
      const rawName = at < 0 ? part : part.slice(0, at);
      return [decodeURIComponent(rawName), at < 0 ? '' : decodeURIComponent(part.slice(at + 1)), part];
    });
}

/**
 * The target of `uri` (a transport other than unix is an error). A read-only open of the system daemon without
 * `socket=` goes to its read-only socket, as libvirt's does.
 */
export function remoteTarget(uri: URL, original: string, readOnly = false): RemoteTarget {
  const scheme = uri.protocol.slice(0, -1);
  const plus = scheme.indexOf('+');
  const driver = plus < 0 ? scheme : scheme.slice(0, plus);
  const transport = plus < 0 ? null : scheme.slice(plus + 1).toLowerCase();
  if (transport === null && uri.host !== '' && uri.host !== 'localhost') {
    throw unsupported(`remote hosts are not supported by tsvirt's remote driver (only unix sockets): ${original}`);
  }
  if (transport !== null && transport !== 'unix') {
    throw unsupported(`transport '${transport}' is not supported by tsvirt's remote driver (only 'unix'): ${original}`);
  }
  const params = rawParams(uri.search);
  const param = (name: string) => params.find(([n]) => n === name)?.[1];
  const kept = params.filter(([n]) => !REMOTE_PARAMS.has(n)).map(([, , raw]) => raw);
  const auth = param('auth');
  if (auth !== undefined && auth !== 'none') throw unsupported(`authentication '${auth}' is not supported by tsvirt's remote driver`);

  let socketPath = param('socket');
  if (!socketPath) {
    if (driver === 'tsvirt') socketPath = tsvirtdSocket();
    else if (uri.pathname === '/session') socketPath = sessionSocket();
    else socketPath = readOnly ? SYSTEM_SOCKET_RO : SYSTEM_SOCKET;
  }
  let openName = param('name');
  if (openName === undefined) {
    const query = kept.length ? `?${kept.join('&')}` : '';
    const authority = transport === null ? uri.host : '';
    openName = `${driver}://${authority}${uri.pathname}${query}${uri.hash}`;
  }
  return { socketPath, openName, uri: original };
}
