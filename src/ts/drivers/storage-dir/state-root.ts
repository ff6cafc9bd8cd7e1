import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { ErrorDomain, ErrorNumber, virError } from '../../errors/index.js';

/**
 * Where a `tsvirt:` connection keeps its state, decided from its URI alone:
 *
 * - `tsvirt:///session`: the user's state directory, `$TSVIRT_STATE_DIR` when set (tests), otherwise
 *   `$XDG_STATE_HOME/tsvirt`, otherwise `~/.local/state/tsvirt` (the XDG default).
 * - `tsvirt:///embed?root=DIR`: everything under DIR, as libvirt's embedded drivers take `?root=`, with
 *   libvirt's errors for a missing or relative root.
 */
export interface StateRoot {
  /** The canonical URI the connection reports. */
  uri: string;
  /** Absolute path of the state directory (it may not exist yet). */
  dir: string;
}

export function stateRootFor(uri: URL, env: NodeJS.ProcessEnv = process.env): StateRoot {
  switch (uri.pathname) {
    case '/session':
      return { uri: 'tsvirt:///session', dir: sessionStateDir(env) };
    case '/embed': {
      const root = uri.searchParams.get('root');
      if (root === null || root === '')
        throw virError(ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_URI, "Missing URI parameter 'root'");
      if (!isAbsolute(root))
        throw virError(ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, ErrorDomain.VIR_FROM_NONE, 'root path must be absolute');
      const dir = resolve(root);
      return { uri: `tsvirt:///embed?root=${encodeURIComponent(dir).replaceAll('%2F', '/')}`, dir };
    }
    default:
      throw virError(
        ErrorNumber.VIR_ERR_INTERNAL_ERROR,
        ErrorDomain.VIR_FROM_NONE,
        `unexpected tsvirt URI path '${uri.pathname}', try tsvirt:///session`,
      );
  }
}

function sessionStateDir(env: NodeJS.ProcessEnv): string {
  // Relative values are ignored, as the XDG specification asks.
  if (env.TSVIRT_STATE_DIR && isAbsolute(env.TSVIRT_STATE_DIR)) return resolve(env.TSVIRT_STATE_DIR);
  if (env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME)) return join(resolve(env.XDG_STATE_HOME), 'tsvirt');
  return join(homedir(), '.local', 'state', 'tsvirt');
}
