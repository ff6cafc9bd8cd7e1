// One connection to a daemon: the RPC client, libvirt's open sequence (AUTH_LIST, SUPPORTS_FEATURE,
// CONNECT_OPEN, keepalive), typed calls of REMOTE procedures, close callbacks, and CONNECT_CLOSE at the end.
import { ErrorDomain, ErrorNumber, VirError, toVirError, virError } from '../../errors/index.js';
import { CloseReason, RpcClient } from '../../rpc/client.js';
import type { RemoteOptions } from './options.js';
import { remote_procedure } from '../../rpc/generated/remote-protocol.js';
import type { RpcProcedure } from '../../rpc/program.js';
import { describeTransport } from '../../rpc/transport.js';
import { remoteProgram } from '../../rpc/programs.js';
import type { RemoteTarget } from './uri.js';
import { DomainRefs } from './wire.js';

export type ProcName = keyof typeof remote_procedure extends `REMOTE_PROC_${infer N}` ? N : never;

/** virDrvFeature numbers the open sequence asks about (libvirt's src/driver.h). */
export const FEATURE = { PROGRAM_KEEPALIVE: 10, REMOTE_EVENT_CALLBACK: 14, REMOTE_CLOSE_CALLBACK: 15 } as const;

const AUTH = { NONE: 0, SASL: 1, POLKIT: 2 } as const;
const AUTH_NAMES: Record<number, string> = { [AUTH.SASL]: 'SASL', [AUTH.POLKIT]: 'polkit' };

/** A close callback: libvirt's virConnectCloseFunc without the connection (the entry point adds it). */
export type CloseCallback = (reason: CloseReason, error?: VirError) => void;


export class RemoteConnection {
  readonly domains = new DomainRefs();
  /**
   * Filled by open(): what the daemon answered once, for the entry points that cannot wait, or the error it
   * answered with (a driver without virConnectGetVersion), raised when they are called.
   */
  type: string | VirError = '';
  version: number | VirError = 0;
  libVersion: number | VirError = 0;
  private readonly closeCallbacks = new Set<CloseCallback>();
  private closeCallbackRegistered = false;
  private closing = false;
  private keepaliveSet = false;
  private features = new Map<number, boolean>();

  private constructor(
    readonly client: RpcClient,
    readonly target: RemoteTarget,
  ) {
    client.onClose((reason, error) => {
      if (this.closing && reason === CloseReason.CLIENT) return;
      for (const cb of [...this.closeCallbacks]) cb(reason, error);
    });
    client.onMessage(remoteProgram, (procedure, msg) => {
      // The daemon lost its own connection to the hypervisor driver.
      if (procedure.number === remote_procedure.REMOTE_PROC_CONNECT_EVENT_CONNECTION_CLOSED) {
        for (const cb of [...this.closeCallbacks]) cb((msg as { reason: number }).reason as CloseReason);
      }
    });
  }

  /**
   * Connects and runs libvirt's open sequence; on failure nothing is left open. `alongside` is called as
   * CONNECT_OPEN is sent, so that what it sends leaves in the same write instead of costing a round trip of its
   * own (open.ts probes the job program there). The daemon may answer it before the connection is open, and
   * `alongside` must handle its own errors.
   */
  static async open(
    target: RemoteTarget,
    flags: number,
    options: RemoteOptions = {},
    alongside?: (conn: RemoteConnection) => void,
  ): Promise<RemoteConnection> {
    const client = await RpcClient.connect(target.transport, options);
    const conn = new RemoteConnection(client, target);
    try {
      // libvirt's first three calls, sent together: the daemon answers AUTH_LIST and the keepalive feature
      // without a connection, and a daemon that wants authentication refuses the open, whose error then
      // gives way to the clearer one about authentication.
      const auth = conn.authenticate();
      const keepalive = conn.supports(FEATURE.PROGRAM_KEEPALIVE);
      const opened = conn.call('CONNECT_OPEN', { name: target.openName, flags });
      opened.catch(() => {});
      keepalive.catch(() => {});
      alongside?.(conn);
      await auth;
      await opened;
      // What the synchronous entry points answer from (virConnectGetType, virConnectGetVersion), asked at once.
      // The other features are asked on first use (events, close callbacks).
      const answer = <T, R>(call: Promise<T>, take: (ret: T) => R) => call.then(take, (err: unknown) => toVirError(err));
      const [type, version, libVersion] = await Promise.all([
        answer(conn.call<{ type: string }>('CONNECT_GET_TYPE'), (r) => r.type),
        answer(conn.call<{ hv_ver: bigint }>('CONNECT_GET_VERSION'), (r) => Number(r.hv_ver)),
        answer(conn.call<{ lib_ver: bigint }>('CONNECT_GET_LIB_VERSION'), (r) => Number(r.lib_ver)),
      ]);
      // A daemon that went away meanwhile fails the open; a "not supported" stays for the caller to see.
      if (!client.alive) throw [type, version, libVersion].find((v) => v instanceof VirError);
      conn.type = type;
      conn.version = version;
      conn.libVersion = libVersion;
      if (await keepalive) client.startKeepalive();
      return conn;
    } catch (err) {
      client.close();
      throw err;
    }
  }

  get alive(): boolean {
    return this.client.alive;
  }

  /** Calls REMOTE_PROC_<name>; resolves with its `_ret` (undefined when it has none). */
  call<T = unknown>(name: ProcName, args?: unknown): Promise<T> {
    return this.client.call<T>(remoteProgram, remote_procedure[`REMOTE_PROC_${name}`], args);
  }

  procedure(name: ProcName): RpcProcedure {
    return remoteProgram.procedures.get(remote_procedure[`REMOTE_PROC_${name}`])!;
  }

  /** virConnectSetKeepAlive: seconds between PINGs to a quiet daemon; 1 when it has no keepalive. */
  async setKeepAlive(interval: number, count: number): Promise<number> {
    if (!(await this.supports(FEATURE.PROGRAM_KEEPALIVE))) return 1;
    if (interval <= 0) {
      this.client.stopKeepalive();
      return 0;
    }
    // libvirt 9.0 takes one interval per connection: a second one fails, also after interval 0 stopped it.
    if (this.keepaliveSet) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC, 'keepalive interval already set');
    this.keepaliveSet = true;
    this.client.startKeepalive(interval * 1000, count);
    return 0;
  }

  /** Whether the daemon has a feature (CONNECT_SUPPORTS_FEATURE), asked once. */
  async supports(feature: number): Promise<boolean> {
    const known = this.features.get(feature);
    if (known !== undefined) return known;
    const { supported } = await this.call<{ supported: number }>('CONNECT_SUPPORTS_FEATURE', { feature, flags: 0 });
    this.features.set(feature, supported !== 0);
    return supported !== 0;
  }

  /** AUTH_LIST: only "none" is spoken; a daemon that demands SASL or polkit gets a clear refusal. */
  private async authenticate(): Promise<void> {
    const { types } = await this.call<{ types: number[] }>('AUTH_LIST');
    if (types.length === 0 || types.includes(AUTH.NONE)) return;
    const names = types.map((t) => AUTH_NAMES[t] ?? `type ${t}`).join(', ');
    throw new VirError(
      ErrorNumber.VIR_ERR_AUTH_FAILED,
      ErrorDomain.VIR_FROM_REMOTE,
      `authentication failed: the daemon at '${describeTransport(this.target.transport)}' requires ${names} authentication, which tsvirt's remote driver does not support (only auth none)`,
    );
  }

  /** virConnectRegisterCloseCallback: the daemon is asked to report its own losses too, when it can. */
  async addCloseCallback(cb: CloseCallback): Promise<void> {
    this.closeCallbacks.add(cb);
    if (!this.closeCallbackRegistered && (await this.supports(FEATURE.REMOTE_CLOSE_CALLBACK))) {
      this.closeCallbackRegistered = true;
      await this.call('CONNECT_REGISTER_CLOSE_CALLBACK');
    }
  }

  /** As libvirt's: once the daemon was told, removing needs it; on a lost connection that fails. */
  async removeCloseCallback(cb: CloseCallback): Promise<void> {
    if (this.closeCallbacks.size === 1 && this.closeCallbacks.has(cb) && this.closeCallbackRegistered) {
      if (!this.alive) throw virError(ErrorNumber.VIR_ERR_INTERNAL_ERROR, ErrorDomain.VIR_FROM_RPC, 'client socket is closed');
      await this.call('CONNECT_UNREGISTER_CLOSE_CALLBACK');
      this.closeCallbackRegistered = false;
    }
    this.closeCallbacks.delete(cb);
  }

  hasCloseCallback(cb: CloseCallback): boolean {
    return this.closeCallbacks.has(cb);
  }

  /** CONNECT_CLOSE, then the socket; a daemon already gone is no error. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.closeCallbacks.clear();
    if (!this.client.alive) return;
    this.call('CONNECT_CLOSE').then(
      () => this.client.close(),
      () => this.client.close(),
    );
  }
}
