// A private, real libvirtd for tests and benchmarks: one temporary folder holds its config, socket, logs and
// state, it serves the test driver (test+unix:///default) and the QEMU driver (qemu+unix:///session), and
// `stop()` leaves no process behind. Plain ESM so bench/ scripts can import it as well as vitest tests (the
// types are in libvirtd.d.mts). docs/vm-testing.md explains the choices.
//
// Why qemu:///session as an ordinary user, not a system daemon: a session daemon keeps every path it uses
// (state, pid files, capability cache, guest logs) under HOME/XDG_* folders that point into the temporary
// folder, so runs are private and can run side by side; the system driver writes to /run/libvirt,
// /var/lib/libvirt, /var/log/libvirt and wants cgroups, namespaces and the libvirt-qemu user. libvirtd refuses
// qemu:///session to root, so under root (CI) the daemon runs as a dedicated unprivileged user.
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const REPO = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
const REAP = join(REPO, 'scripts', 'vm', 'reap.sh');

/** The unprivileged account libvirtd runs as when the tests run as root; TSVIRT_VM_USER overrides it. */
export const DAEMON_USER = process.env.TSVIRT_VM_USER || 'tsvirt-vm';

/** Environment for libvirt clients (virsh, python3-libvirt): English messages, nothing inherited that
 * would change which daemon or driver they reach. */
export const CLIENT_ENV = Object.fromEntries(
  Object.entries({ ...process.env, LC_ALL: 'C', LANG: 'C' }).filter(
    ([key]) => !key.startsWith('LIBVIRT_') && key !== 'VIRSH_DEFAULT_CONNECT_URI',
  ),
);

/**
 * Runs the real virsh against `uri`. Resolves with status, stdout, stderr and wall time; never rejects on a
 * non-zero exit, since failing commands are often what a test checks.
 */
export function virsh(uri, args, { timeoutMs = 120_000 } = {}) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile('virsh', ['-c', uri, ...args], { env: CLIENT_ENV, timeout: timeoutMs, maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ status: error ? error.code : 0, stdout, stderr, ms: performance.now() - started });
      });
  });
}

/** Runs a Python snippet with Debian's /usr/bin/python3 (the one with python3-libvirt); argv[1..] = args. */
export async function python(source, args = [], { timeoutMs = 120_000 } = {}) {
  const { stdout } = await execFileAsync('/usr/bin/python3', ['-c', source, ...args.map(String)],
    { env: CLIENT_ENV, timeout: timeoutMs, maxBuffer: 64 << 20 });
  return stdout;
}

async function run(command, args) {
  return execFileAsync(command, args, { env: CLIENT_ENV });
}

/** uid/gid of the daemon's account, created (a system user without home or shell) when missing. */
async function daemonAccount() {
  if (process.getuid?.() !== 0) return null;
  const id = async (flag) => Number((await run('id', [flag, DAEMON_USER])).stdout.trim());
  try {
    return { name: DAEMON_USER, uid: await id('-u'), gid: await id('-g') };
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent',
      '--shell', '/usr/sbin/nologin', DAEMON_USER]);
    return { name: DAEMON_USER, uid: await id('-u'), gid: await id('-g') };
  }
}

const libvirtdConf = (dir, { keepalive, listen }) => `# written by tsvirt's test harness (test/support/libvirtd.mjs)
${keepalive ? `keepalive_interval = ${keepalive.interval}\nkeepalive_count = ${keepalive.count}\n` : ''}${listen ? listenConf(dir, listen) : ''}unix_sock_dir = "${dir}/sock"
unix_sock_ro_perms = "0777"
unix_sock_rw_perms = "0777"
unix_sock_admin_perms = "0700"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:${dir}/log/libvirtd.log"
`;

// TCP and TLS on the loopback, without authentication (libvirtd's defaults would ask for SASL on TCP); TLS
// checks the client's certificate against the CA, as by default.
const listenConf = (dir, { tcpPort, tls }) => `listen_addr = "127.0.0.1"
listen_tcp = ${tcpPort ? 1 : 0}
${tcpPort ? `tcp_port = "${tcpPort}"\nauth_tcp = "none"\n` : ''}listen_tls = ${tls ? 1 : 0}
${tls ? `tls_port = "${tls.port}"\nauth_tls = "none"\nca_file = "${dir}/pki/cacert.pem"\ncert_file = "${dir}/pki/servercert.pem"\nkey_file = "${dir}/pki/serverkey.pem"\n` : ''}`;

// stdio_handler "file": QEMU's stderr goes straight to a file, so no virtlogd is spawned (one daemon less to
// start and to reap). The image formats decide how saves and full dumps are written: "raw" is libvirt's
// default; "gzip" pipes QEMU's stream through gzip, which makes a save last long enough to be watched and
// aborted (libvirt 9.0 offers no bandwidth limit for save: it lifts the migration speed to unlimited).
const qemuConf = (imageFormat) => `# written by tsvirt's test harness (test/support/libvirtd.mjs)
stdio_handler = "file"
save_image_format = "${imageFormat}"
dump_image_format = "${imageFormat}"
`;

/**
 * Starts a private libvirtd and waits until it answers on its socket.
 * `keepalive` sets libvirtd's own keepalive towards its clients (seconds between PINGs to a quiet client, PINGs
 * unanswered before it drops the client; libvirt's defaults are 5 and 5). `listen` makes it listen on the
 * loopback too (libvirtd --listen): TCP on `tcpPort`, TLS on `tls.port` with the server's certificate and key and
 * the CA that signed the clients' (copied into its folder, where its account can read them).
 * @param {{ imageFormat?: 'raw'|'gzip'|'bzip2'|'xz'|'lzop', idleTimeoutSeconds?: number, keepalive?: { interval: number, count: number },
 *   listen?: { tcpPort?: number, tls?: { port: number, caCert: string, serverCert: string, serverKey: string } } }} [options]
 */
export async function startLibvirtd({ imageFormat = 'raw', idleTimeoutSeconds = 900, keepalive, listen } = {}) {
  const account = await daemonAccount();
  const dir = await mkdtemp(join(tmpdir(), 'tsvirt-libvirtd-'));
  // The watchdog comes first: whatever happens from here on, once this process is gone the folder and every
  // process that names it go too. Detached, so a Ctrl-C aimed at the test run does not stop it.
  spawn('/bin/sh', [REAP, '--owner', String(process.pid), dir], { detached: true, stdio: 'ignore' }).unref();
  const daemon = { dir, stop: () => reap(dir) };
  try {
    return Object.assign(daemon, await launch(dir, account, imageFormat, idleTimeoutSeconds, { keepalive, listen }));
  } catch (error) {
    await daemon.stop();
    throw error;
  }
}

async function launch(dir, account, imageFormat, idleTimeoutSeconds, conf) {
  const paths = {
    conf: join(dir, 'libvirtd.conf'),
    socket: join(dir, 'sock', 'libvirt-sock'),
    log: join(dir, 'log', 'libvirtd.log'),
    stdio: join(dir, 'log', 'libvirtd.stdio'),
    files: join(dir, 'files'),
  };
  for (const sub of ['sock', 'log', 'home', 'config/libvirt', 'cache', 'runtime', 'files']) {
    await mkdir(join(dir, sub), { recursive: true });
  }
  await chmod(join(dir, 'runtime'), 0o700);
  await writeFile(paths.conf, libvirtdConf(dir, conf));
  const tls = conf.listen?.tls;
  if (tls) {
    await mkdir(join(dir, 'pki'));
    for (const [name, from] of [['cacert.pem', tls.caCert], ['servercert.pem', tls.serverCert], ['serverkey.pem', tls.serverKey]]) {
      await copyFile(from, join(dir, 'pki', name));
    }
  }
  await writeFile(join(dir, 'config', 'libvirt', 'qemu.conf'), qemuConf(imageFormat));
  if (account) await run('chown', ['-R', `${account.uid}:${account.gid}`, dir]);

  const stdio = openSync(paths.stdio, 'a');
  const listening = conf.listen ? ['--listen'] : [];
  const child = spawn('libvirtd', [...listening, '--config', paths.conf, '--timeout', String(idleTimeoutSeconds)], {
    cwd: dir,
    uid: account?.uid,
    gid: account?.gid,
    stdio: ['ignore', stdio, stdio],
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      HOME: join(dir, 'home'),
      XDG_CONFIG_HOME: join(dir, 'config'),
      XDG_CACHE_HOME: join(dir, 'cache'),
      XDG_RUNTIME_DIR: join(dir, 'runtime'),
      XDG_DATA_HOME: join(dir, 'home', '.local', 'share'),
      LC_ALL: 'C',
    },
  });
  closeSync(stdio);
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal ?? code; });
  child.on('error', (error) => { exited = error.message; });

  const uris = {
    test: `test+unix:///default?socket=${paths.socket}`,
    qemu: `qemu+unix:///session?socket=${paths.socket}`,
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`libvirtd exited (${exited}) before answering:\n${tail(paths.stdio)}${tail(paths.log)}`);
    // The socket is bound before the drivers are ready; a real call returns only once they are.
    const probe = await virsh(uris.qemu, ['uri'], { timeoutMs: 30_000 }).catch((error) => ({ status: -1, stderr: String(error) }));
    if (probe.status === 0) break;
    if (Date.now() > deadline) throw new Error(`libvirtd did not answer on ${paths.socket}: ${probe.stderr}\n${tail(paths.log)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    pid: child.pid,
    user: account,
    socket: paths.socket,
    uris,
    /** A folder the daemon's account can write: guest files, save and dump targets. */
    filesDir: paths.files,
    logFile: paths.log,
    /** Hands a file the tests wrote to the daemon's account, so libvirtd and QEMU can open it. */
    async giveToDaemon(path) {
      if (account) await run('chown', [`${account.uid}:${account.gid}`, path]);
    },
  };
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Ends libvirtd and every QEMU it started (their command lines name the folder), then removes the folder. */
async function reap(dir) {
  await execFileAsync('/bin/sh', [REAP, dir]);
}

/** Pids of the live processes whose command line names something inside `dir` (for leak checks). */
export async function processesUsing(dir) {
  const { stdout } = await execFileAsync('/bin/sh', [REAP, '--list', dir]);
  return stdout.split('\n').filter(Boolean).map(Number);
}
