/**
 * The public API (src/ts/index.ts) as the shell loads it: only when a command first needs a connection, so
 * `help`, parse errors and `--version` never pay for loading the drivers. Commands use the API through the
 * objects it returns; this module is what the shell imports to get the first of them.
 */
export { connect, libraryVersion } from '../index.js';
