// Types for libvirtd.mjs (plain ESM so bench/ scripts can import it too).

export const REPO: string;
export const DAEMON_USER: string;
export const CLIENT_ENV: NodeJS.ProcessEnv;

export interface VirshResult {
  status: number;
  stdout: string;
  stderr: string;
  /** Wall time of the whole virsh process. */
  ms: number;
}

export function virsh(uri: string, args: string[], options?: { timeoutMs?: number }): Promise<VirshResult>;
export function python(source: string, args?: Array<string | number>, options?: { timeoutMs?: number }): Promise<string>;

export type ImageFormat = 'raw' | 'gzip' | 'bzip2' | 'xz' | 'lzop';

export interface Libvirtd {
  /** The private folder: config, socket, logs, state. Removed by stop(). */
  dir: string;
  pid: number;
  /** The account libvirtd runs as (null: the current user, when not root). */
  user: { name: string; uid: number; gid: number } | null;
  socket: string;
  uris: { test: string; qemu: string };
  /** A folder the daemon's account can write: guest files, save and dump targets. */
  filesDir: string;
  logFile: string;
  giveToDaemon(path: string): Promise<void>;
  /** Ends libvirtd and every QEMU it started, then removes `dir`. */
  stop(): Promise<void>;
}

export function startLibvirtd(options?: {
  imageFormat?: ImageFormat;
  idleTimeoutSeconds?: number;
  /** libvirtd's keepalive towards its clients: seconds between PINGs, PINGs unanswered before it drops one. */
  keepalive?: { interval: number; count: number };
  /** libvirtd --listen on the loopback: TCP on tcpPort, TLS on tls.port with these files (auth none on both). */
  listen?: { tcpPort?: number; tls?: { port: number; caCert: string; serverCert: string; serverKey: string } };
}): Promise<Libvirtd>;
export function processesUsing(dir: string): Promise<number[]>;
