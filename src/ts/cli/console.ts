import type { Domain } from '../index.js';
import { ErrorDomain, ErrorNumber, virError } from '../errors/index.js';
import type { Session } from './session.js';

/**
 * `--console` of start and create. A console needs a terminal, as in virsh; and tsvirt's drivers offer no
 * console stream (virDomainOpenConsole), so on a terminal virsh's banner is followed by libvirt's
 * "not supported" error rather than by a session.
 */
export function runConsole(s: Session, dom: Domain): boolean {
  if (!s.io.stdin.isTTY) {
    s.error('Cannot run interactive console without a controlling TTY');
    return false;
  }
  s.printExtra(`Connected to domain '${dom.name}'\n`);
  const escape = s.escape;
  s.printExtra(`Escape character is ${escape}${escape.startsWith('^') ? ` (Ctrl + ${escape[1]})` : ''}\n`);
  s.lastError = virError(ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorDomain.VIR_FROM_NONE, 'virDomainOpenConsole');
  return false;
}
