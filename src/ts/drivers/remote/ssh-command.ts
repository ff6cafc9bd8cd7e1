// The ssh command libvirt's remote driver runs for `DRIVER+ssh://[USER@]HOST[:PORT]/PATH`, argument for argument
// (libvirt 9.0's virNetSocketNewConnectSSH and virNetClientSSHHelperCommand, checked against the real virsh by
// test/remote/ssh.test.ts). On the host, the login shell runs virt-ssh-helper, or netcat on the daemon's socket,
// and the packets travel through ssh's stdin and stdout. Being libvirt's exact words matters beyond working: a
// host may restrict a key to one command (authorized_keys `command="..."`), written for libvirt's.
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';

export type SshProxy = 'auto' | 'netcat' | 'native';

export interface SshOptions {
  host: string;
  port?: string;
  user?: string;
  /** The ssh program (`command=`). */
  binary: string;
  keyfile?: string;
  noTty: boolean;
  noVerify: boolean;
  /** `proxy=` as given; without it, netcat when `netcat=` or `socket=` is given, else auto. */
  proxy?: string;
  netcat?: string;
  /** The daemon's socket on the host for netcat (`socket=`); without it, `defaultSocket`. */
  socket?: string;
  defaultSocket: string;
  /** The URI virt-ssh-helper opens on the host: the one CONNECT_OPEN names. */
  driverUri: string;
  readOnly: boolean;
}

export function sshArgv(o: SshOptions): string[] {
  return [
    o.binary,
    ...(o.port ? ['-p', o.port] : []),
    ...(o.user ? ['-l', o.user] : []),
    ...(o.keyfile !== undefined ? ['-i', o.keyfile] : []),
    '-T',
    '-e',
    'none',
    ...(o.noTty ? ['-o', 'BatchMode=yes'] : []),
    ...(o.noVerify ? ['-o', 'StrictHostKeyChecking=no'] : []),
    '--',
    o.host,
    helperCommand(o),
  ];
}

function helperCommand(o: SshOptions): string {
  const proxy = o.proxy ?? (o.netcat !== undefined || o.socket !== undefined ? 'netcat' : 'auto');
  const netcat = quotedTwice(o.netcat ?? 'nc');
  // The socket's path goes in as it is, unquoted, as libvirt writes it.
  const nc = `if ${netcat} -q 2>&1 | grep "requires an argument" >/dev/null 2>&1; then ARG=-q0;else ARG=;fi;${netcat} $ARG -U ${o.socket ?? o.defaultSocket}`;
  const helper = `virt-ssh-helper ${o.readOnly ? '-r ' : ''}${quotedTwice(o.driverUri)}`;
  switch (proxy) {
    case 'auto':
      return `sh -c 'which virt-ssh-helper 1>/dev/null 2>&1; if test $? = 0; then     ${helper}; else    ${nc}; fi'`;
    case 'netcat':
      return `sh -c '${nc}'`;
    case 'native':
      if (o.netcat !== undefined) throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_RPC, 'netcat path not valid with native proxy mode');
      return `sh -c '${helper}'`;
    default:
      // libvirt's spelling.
      throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_REMOTE, `Unnkown proxy type '${proxy}'`);
  }
}

/** Characters that make libvirt's virBufferEscapeShell quote a word. */
const SHELL_SPECIAL = /[\r\t\n !"#$&'()*;<>?[\\\]^`{|}~]/;

/** libvirt's virBufferEscapeShell: the word as it is when nothing in it is special to the shell, else single-quoted. */
export function escapeShell(word: string): string {
  if (word !== '' && !SHELL_SPECIAL.test(word)) return word;
  return `'${word.replace(/'/g, "'\\''")}'`;
}

/** A word as libvirt puts it inside the `sh -c '...'` it sends: escaped twice, then quoted. */
function quotedTwice(word: string): string {
  return `'${escapeShell(escapeShell(word))}'`;
}
