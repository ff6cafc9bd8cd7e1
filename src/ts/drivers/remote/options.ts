import type { RpcClientOptions } from '../../rpc/client.js';

/** Options every remote connection the process opens starts with (keepalive; tests shorten it with these). */
export interface RemoteOptions extends RpcClientOptions {}

export const remoteDefaults: RemoteOptions = {};
