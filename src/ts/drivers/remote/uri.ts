// Which daemon a remote URI reaches, through which transport, and what name CONNECT_OPEN gives it, as libvirt's
// remote driver decides: `DRIVER+unix:///PATH?socket=SOCK` (or no transport and no host: the local daemon's
// socket), `DRIVER+ssh://[USER@]HOST[:PORT]/PATH` (ssh-command.ts), `DRIVER+tls://HOST[:PORT]/PATH` (or a host
// and no transport), `DRIVER+tcp://HOST[:PORT]/PATH` and `DRIVER+ext:///PATH?command=CMD`; the transport taken
// out of the scheme and the parameters the remote driver itself consumes taken out of the query.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorDomain, ErrorNumber, VirError, virError } from '../../errors/index.js';
import type { TlsFiles, Transport } from '../../rpc/transport.js';
import { sshArgv } from './ssh-command.js';

export interface RemoteTarget {
  transport: Transport;
  /** The URI sent in CONNECT_OPEN: the transport and the remote driver's own parameters removed. */
  openName: string;
  /** The URI the connection reports (virConnectGetURI): what the caller gave. */
  uri: string;
  /** Whether libvirt counts the transport secure (virConnectIsSecure): unix, ssh and TLS, not TCP or ext. */
  secure: boolean;
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

/** libvirtd's TCP and TLS ports (libvirt's LIBVIRTD_TCP_PORT, LIBVIRTD_TLS_PORT). */
export const LIBVIRTD_TCP_PORT = 16509;
export const LIBVIRTD_TLS_PORT = 16514;
const TRANSPORTS = new Set(['unix', 'ssh', 'tls', 'tcp', 'ext']);

/** libvirt's system-wide TLS files (LIBVIRT_PKI_DIR /etc/pki). */
const SYSTEM_PKI: Required<TlsFiles> = {
  caCert: '/etc/pki/CA/cacert.pem',
  caCrl: '/etc/pki/CA/cacrl.pem',
  cert: '/etc/pki/libvirt/clientcert.pem',
  key: '/etc/pki/libvirt/private/clientkey.pem',
};

const pkiIn = (dir: string): Required<TlsFiles> => ({
  caCert: join(dir, 'cacert.pem'),
  caCrl: join(dir, 'cacrl.pem'),
  cert: join(dir, 'clientcert.pem'),
  key: join(dir, 'clientkey.pem'),
});

/**
 * The client's TLS files, found as libvirt finds them (virNetTLSContextLocateCredentials): all in `pkipath=` when
 * given; else, for an ordinary user, each that ~/.pki/libvirt has (the certificate and key as a pair), the rest
 * from /etc/pki. The CA must be there (reading it fails otherwise); a missing CRL or identity is left out.
 */
function tlsFiles(pkipath: string | undefined, env: NodeJS.ProcessEnv = process.env): TlsFiles {
  let files = SYSTEM_PKI;
  if (pkipath !== undefined) files = pkiIn(pkipath);
  else if (process.geteuid?.() !== 0) {
    const user = pkiIn(join(env.HOME || homedir(), '.pki', 'libvirt'));
    const identity = existsSync(user.cert) && existsSync(user.key);
    files = {
      caCert: existsSync(user.caCert) ? user.caCert : SYSTEM_PKI.caCert,
      caCrl: existsSync(user.caCrl) ? user.caCrl : SYSTEM_PKI.caCrl,
      cert: identity ? user.cert : SYSTEM_PKI.cert,
      key: identity ? user.key : SYSTEM_PKI.key,
    };
  }
  const identity = existsSync(files.cert) && existsSync(files.key);
  return {
    caCert: files.caCert,
    caCrl: existsSync(files.caCrl) ? files.caCrl : undefined,
    cert: identity ? files.cert : undefined,
    key: identity ? files.key : undefined,
  };
}

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
 * The target of `uri`. A read-only open of the system daemon without `socket=` goes to its read-only socket, as
 * libvirt's does (through ssh too, where virt-ssh-helper is told with `-r`).
 */
export function remoteTarget(uri: URL, original: string, readOnly = false): RemoteTarget {
  const scheme = uri.protocol.slice(0, -1);
  const plus = scheme.indexOf('+');
  const driver = plus < 0 ? scheme : scheme.slice(0, plus);
  // A host without a transport means TLS, as in libvirt (localhost aside: this host's daemon, through its socket).
  const transport = plus >= 0 ? scheme.slice(plus + 1).toLowerCase() : uri.host !== '' && uri.host !== 'localhost' ? 'tls' : null;
  if (transport !== null && !TRANSPORTS.has(transport)) {
    throw unsupported(`transport '${transport}' is not supported by tsvirt's remote driver (only 'unix', 'ssh', 'tls', 'tcp' and 'ext'): ${original}`);
  }
  const params = rawParams(uri.search);
  const param = (name: string) => params.find(([n]) => n === name)?.[1];
  const kept = params.filter(([n]) => !REMOTE_PARAMS.has(n)).map(([, , raw]) => raw);
  const auth = param('auth');
  if (auth !== undefined && auth !== 'none') throw unsupported(`authentication '${auth}' is not supported by tsvirt's remote driver`);

  let openName = param('name');
  if (openName === undefined) {
    const query = kept.length ? `?${kept.join('&')}` : '';
    const authority = transport === null ? uri.host : '';
    openName = `${driver}://${authority}${uri.pathname}${query}${uri.hash}`;
  }
  // The host as libvirt's URI parser gives it: an IPv6 address without its brackets; none is localhost.
  const host = uri.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  // A flag parameter is on when its value reads as a non-zero integer (libvirt's atoi).
  const flag = (name: string) => (Number.parseInt(param(name) ?? '0', 10) || 0) !== 0;
  let target: Transport;
  switch (transport) {
    case 'tcp':
      target = { kind: 'tcp', host, port: uri.port ? Number(uri.port) : LIBVIRTD_TCP_PORT };
      break;
    case 'tls':
      target = { kind: 'tls', host, port: uri.port ? Number(uri.port) : LIBVIRTD_TLS_PORT, pki: tlsFiles(param('pkipath')), verify: !flag('no_verify') };
      break;
    case 'ext': {
      const command = param('command');
      if (!command) throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_REMOTE, "remote_open: for 'ext' transport, command is required");
      target = { kind: 'command', argv: [command] };
      break;
    }
    case 'ssh':
      target = {
        kind: 'command',
        argv: sshArgv({
          host,
          port: uri.port || undefined,
          user: uri.username ? decodeURIComponent(uri.username) : undefined,
          binary: param('command') || 'ssh',
          keyfile: param('keyfile'),
          noTty: flag('no_tty'),
          noVerify: flag('no_verify'),
          proxy: param('proxy'),
          netcat: param('netcat'),
          socket: param('socket'),
          defaultSocket: readOnly ? SYSTEM_SOCKET_RO : SYSTEM_SOCKET,
          driverUri: openName,
          readOnly,
        }),
      };
      break;
    default: {
      let path = param('socket');
      if (!path) {
        if (driver === 'tsvirt') path = tsvirtdSocket();
        else if (uri.pathname === '/session') path = sessionSocket();
        else path = readOnly ? SYSTEM_SOCKET_RO : SYSTEM_SOCKET;
      }
      target = { kind: 'unix', path };
    }
  }
  const secure = transport !== 'tcp' && transport !== 'ext';
  return { transport: target, openName, uri: original, secure };
}
