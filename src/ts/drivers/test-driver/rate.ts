import { ErrorDomain, ErrorNumber, VirError } from '../../errors/index.js';

/**
 * How fast the test driver's simulated jobs move memory, in bytes per second. The default makes saving the
 * built-in 2 GiB domain take four seconds, long enough to watch and cancel; 0 makes jobs finish at once.
 * Set per connection with the URI parameter `?rate=` or per process with TSVIRT_TEST_RATE; both take a
 * number with an optional binary suffix (`512M`, `1G`).
 */
export const DEFAULT_RATE = 512 * 1024 * 1024;

const SUFFIX: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

export function parseRate(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  if (!match)
    throw new VirError(
      ErrorNumber.VIR_ERR_INVALID_ARG,
      ErrorDomain.VIR_FROM_TEST,
      `invalid argument: transfer rate '${text}' is not a number of bytes per second`,
    );
  return Math.floor(Number(match[1]) * SUFFIX[match[2]!.toUpperCase()]!);
}

export function rateFor(uri: URL): number {
  const fromUri = uri.searchParams.get('rate');
  if (fromUri !== null) return parseRate(fromUri);
  const fromEnv = process.env.TSVIRT_TEST_RATE;
  return fromEnv ? parseRate(fromEnv) : DEFAULT_RATE;
}
