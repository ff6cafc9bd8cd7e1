import { describe, expect, it } from 'vitest';
import { virConnectGetURI } from '../../src/ts/api/connect.js';
import { ErrorDomain, ErrorNumber } from '../../src/ts/errors/index.js';
import { failure, open } from './helpers.js';

/** URIs virConnectOpen refuses, with what libvirt 9.0 answered (measured with python3-libvirt). */
describe('virConnectOpen of incomplete or malformed URIs', () => {
  it.each([
    ['test', ErrorNumber.VIR_ERR_NO_CONNECT, ErrorDomain.VIR_FROM_NONE, "no connection driver available for URI 'test' does not include a driver name"],
    ['test:', ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_TEST, 'invalid argument: testOpen: supply a path or use test:///default'],
    ['test:/', ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_TEST, 'invalid argument: testOpen: supply a path or use test:///default'],
    ['test://', ErrorNumber.VIR_ERR_INVALID_ARG, ErrorDomain.VIR_FROM_TEST, 'invalid argument: testOpen: supply a path or use test:///default'],
    [' test:///default', ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_URI, 'internal error: Unable to parse URI  test:///default'],
  ])('%j', async (uri, code, domain, message) => {
    const err = await failure(() => open(uri));
    expect({ code: err.code, domain: err.domain, message: err.message }).toEqual({ code, domain, message });
  });

  it('an empty name is no name: the default URI, as libvirt takes "" for NULL', async () => {
    const saved = process.env.LIBVIRT_DEFAULT_URI;
    delete process.env.LIBVIRT_DEFAULT_URI;
    try {
      expect(virConnectGetURI(await open(''))).toBe('test:///default');
    } finally {
      if (saved !== undefined) process.env.LIBVIRT_DEFAULT_URI = saved;
    }
  });
});
