// TLS over TCP, as libvirt's client does it.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { ErrorDomain, ErrorNumber, type VirError, virError } from '../errors/index.js';
import { systemError } from '../errors/system.js';
import { type ByteChannel, connectError, SocketChannel, type TlsFiles, type Transport } from './channel.js';

/**
 * TLS as libvirt's client does it (virNetTLSContextNewClient, virNetClientSetTLSSession): its own certificate
 * checked against the CA before anything is sent, the server's checked after the handshake (trusted by the CA
 * and named as the URI's host, unless `no_verify=1`), then the daemon's one-byte verdict on the client's
 * certificate, 1 for accepted, before any packet.
 */
export function openTls(t: Extract<Transport, { kind: 'tls' }>): Promise<ByteChannel> {
  let credentials: ReturnType<typeof readTlsFiles>;
  try {
    credentials = readTlsFiles(t.pki);
  } catch (err) {
    return Promise.reject(err);
  }
  const tls = process.getBuiltinModule('node:tls');
  return new Promise((resolve, reject) => {
    let phase: 'connect' | 'handshake' | 'confirmation' = 'connect';
    const socket = tls.connect({
      host: t.host,
      port: t.port,
      ...credentials,
      // SNI carries names only, never addresses.
      servername: isIP(t.host) ? undefined : t.host,
      // Verified below, so that a failure is libvirt's error and no_verify=1 can waive it.
      rejectUnauthorized: false,
    });
    const fail = (error: VirError) => {
      socket.destroy();
      reject(error);
    };
    socket.once('connect', () => (phase = 'handshake'));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (phase === 'connect') fail(connectError(t, err));
      else if (phase === 'handshake') fail(virError(ErrorNumber.VIR_ERR_AUTH_FAILED, ErrorDomain.VIR_FROM_RPC, `authentication failed: TLS handshake failed ${handshakeFailure(err)}`));
      else fail(systemError(err, ErrorDomain.VIR_FROM_RPC, 'Unable to read TLS confirmation'));
    });
    socket.once('secureConnect', () => {
      phase = 'confirmation';
      const trusted = socket.authorized && tls.checkServerIdentity(t.host, socket.getPeerCertificate()) === undefined;
      if (t.verify && !trusted) {
        fail(virError(ErrorNumber.VIR_ERR_AUTH_FAILED, ErrorDomain.VIR_FROM_RPC, "authentication failed: Failed to verify peer's certificate"));
        return;
      }
      const unconfirmed = () => fail(systemError({ code: 'EIO' }, ErrorDomain.VIR_FROM_RPC, 'Unable to read TLS confirmation'));
      socket.once('end', unconfirmed);
      socket.once('readable', function confirm() {
        const verdict = socket.read(1) as Buffer | null;
        if (verdict === null) return void socket.once('readable', confirm);
        socket.off('end', unconfirmed);
        socket.removeAllListeners('error');
        if (verdict[0] !== 1) {
          fail(virError(ErrorNumber.VIR_ERR_RPC, ErrorDomain.VIR_FROM_RPC, 'server verification (of our certificate or IP address) failed'));
          return;
        }
        resolve(new SocketChannel(socket, { recordPerWrite: true }));
      });
    });
  });
}

/**
 * Why a handshake failed, in GnuTLS's words where libvirt's would be the same: the connection broken under it is
 * GnuTLS's "Error in the pull function."; a TLS alert or protocol error keeps OpenSSL's own message.
 */
function handshakeFailure(err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNRESET' || err.code === 'EPIPE') return 'Error in the pull function.';
  return err.message;
}

/** The PEM files of `pki`, read; the client's certificate checked against the CA first, as libvirt does. */
function readTlsFiles(pki: TlsFiles): { ca: Buffer; crl?: Buffer; cert?: Buffer; key?: Buffer } {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (err) {
      throw systemError(err, ErrorDomain.VIR_FROM_RPC, `Cannot read ${what} '${path}'`);
    }
  };
  const ca = read(pki.caCert, 'CA certificate');
  const crl = pki.caCrl === undefined ? undefined : read(pki.caCrl, 'CA revocation list');
  if (pki.cert === undefined || pki.key === undefined) return { ca, crl };
  const cert = read(pki.cert, 'certificate');
  const key = read(pki.key, 'private key');
  const { X509Certificate } = process.getBuiltinModule('node:crypto');
  const own = new X509Certificate(cert);
  const issuers = splitPem(ca).map((pem) => new X509Certificate(pem));
  if (!issuers.some((issuer) => own.checkIssued(issuer) && own.verify(issuer.publicKey))) {
    throw virError(
      ErrorNumber.VIR_ERR_SYSTEM_ERROR,
      ErrorDomain.VIR_FROM_RPC,
      `Our own certificate ${pki.cert} failed validation against ${pki.caCert}: The certificate hasn't got a known issuer.`,
    );
  }
  return { ca, crl, cert, key };
}

/** The certificates of a PEM bundle. */
function splitPem(bundle: Buffer): string[] {
  return bundle.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
