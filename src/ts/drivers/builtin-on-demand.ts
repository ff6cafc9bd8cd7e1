// The built-in drivers as the shell registers them: those of builtin.ts, in the same order, but a local driver's
// code loads when a connection first needs it, so a command through a daemon's socket never reads the test and directory drivers
// (about 200 KB of the shell's code; docs/benchmarks.md, "tsvirsh startup"). The shell opens connections through
// the asynchronous API only, so a driver may take the time to load. scripts/build-cli.mjs puts this module in
// place of builtin.ts in the shell's build; test/drivers/builtin-on-demand.test.ts keeps the two lists alike.
import type { ConnectDriver } from './driver.js';
import { isTestUri, isTsvirtUri } from './local-uris.js';
import { registerConnectDriver, registerFallbackDriver } from './registry.js';
import { remoteDriver } from './remote/index.js';

function loadedOnFirstOpen(name: string, accepts: (uri: URL) => boolean, load: () => Promise<ConnectDriver>): ConnectDriver {
  let loading: Promise<ConnectDriver> | undefined;
  return { name, accepts, open: (uri, flags) => (loading ??= load()).then((driver) => driver.open(uri, flags)) };
}

export const onDemandDrivers: readonly ConnectDriver[] = [
  loadedOnFirstOpen('Test', isTestUri, async () => (await import('./test-driver/index.js')).testDriver),
  loadedOnFirstOpen('tsvirt', isTsvirtUri, async () => (await import('./storage-dir/index.js')).dirStorageDriver),
];

for (const driver of onDemandDrivers) registerConnectDriver(driver);
registerFallbackDriver(remoteDriver);
