// RpcClient.connect returns before the socket has connected: calls made meanwhile wait in the socket and leave
// once it has; a socket nobody accepts on fails every one of them, and the close listeners, with libvirt's
// "Failed to connect socket" error instead of leaving them waiting.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorDomain, ErrorNumber, VirError } from '../../src/ts/errors/index.js';
import { CloseReason, RpcClient } from '../../src/ts/rpc/client.js';
import { remote_procedure } from '../../src/ts/rpc/generated/remote-protocol.js';
import { remoteProgram } from '../../src/ts/rpc/programs.js';
import { FakeDaemon } from '../remote/fake-daemon.js';

const { REMOTE_PROC_AUTH_LIST, REMOTE_PROC_CONNECT_OPEN, REMOTE_PROC_CONNECT_GET_TYPE } = remote_procedure;

let daemon: FakeDaemon | null = null;
afterEach(async () => {
  await daemon?.stop();
  daemon = null;
});

/** A client of `path` whose close is recorded; every call made on it before anything was awaited. */
function clientWithCalls(path: string) {
  const client = RpcClient.connect(path);
  const closed = new Promise<{ reason: CloseReason; error: VirError }>((resolve) => client.onClose((reason, error) => resolve({ reason, error })));
  const calls = [
    client.call(remoteProgram, REMOTE_PROC_AUTH_LIST),
    client.call(remoteProgram, REMOTE_PROC_CONNECT_OPEN, { name: 'test:///default', flags: 0 }),
    client.call(remoteProgram, REMOTE_PROC_CONNECT_GET_TYPE),
  ].map((call) => call.then((value) => ({ value }), (error: unknown) => ({ error })));
  return { client, closed, calls: Promise.all(calls) };
}

describe('RpcClient.connect', () => {
  it('calls made while the socket connects reach the daemon in order and are answered', async () => {
    daemon = new FakeDaemon();
    await daemon.listen();
    const { client, calls } = clientWithCalls(daemon.socketPath);
    expect(client.alive).toBe(true);
    expect(await calls).toEqual([{ value: { types: [0] } }, { value: undefined }, { value: { type: 'Fake' } }]);
    expect(daemon.calls).toEqual(['REMOTE_PROC_AUTH_LIST', 'REMOTE_PROC_CONNECT_OPEN', 'REMOTE_PROC_CONNECT_GET_TYPE']);
    client.close();
  });

  const refusals = [
    ['nothing at the path', () => '/tmp/tsvirt-rpc-nothing-here/sock', 'No such file or directory'],
    [
      'a plain file at the path',
      () => {
        daemon = new FakeDaemon(); // only for its private folder
        const file = join(daemon.dir, 'not-a-socket');
        writeFileSync(file, '');
        return file;
      },
      'Connection refused',
    ],
  ] as const;
  for (const [name, pathOf, cause] of refusals) {
    it(`${name}: every waiting call fails with libvirt's error, the close listener hears it`, async () => {
      const path = pathOf();
      const { client, closed, calls } = clientWithCalls(path);
      const message = `Failed to connect socket to '${path}': ${cause}`;
      const results = await calls;
      for (const result of results) {
        expect(result).toHaveProperty('error');
        const { error } = result as { error: VirError };
        expect(error).toBeInstanceOf(VirError);
        expect([error.code, error.domain, error.message]).toEqual([ErrorNumber.VIR_ERR_SYSTEM_ERROR, ErrorDomain.VIR_FROM_RPC, message]);
      }
      const { reason, error } = await closed;
      expect(reason).toBe(CloseReason.ERROR);
      expect(error.message).toBe(message);
      expect(client.alive).toBe(false);
      // A call after the failure fails at once instead of waiting.
      await expect(client.call(remoteProgram, REMOTE_PROC_AUTH_LIST)).rejects.toBeInstanceOf(VirError);
    });
  }
});
