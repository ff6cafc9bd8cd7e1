// A throwaway X.509 PKI for TLS tests, made with openssl: a CA, a server certificate for the loopback (named
// 127.0.0.1 and localhost), a client certificate, and a second CA that trusts none of them. Client folders are
// laid out as libvirt's `pkipath=` wants them (cacert.pem, clientcert.pem, clientkey.pem); the extensions are the
// ones libvirt checks (a CA that may sign, a server for serverAuth, a client for clientAuth).
import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const openssl = (args, cwd) => promisify(execFile)('openssl', args, { cwd });

const LEAF = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n';

async function makeCa(dir, name) {
  await mkdir(dir, { recursive: true });
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'cakey.pem', '-out', 'cacert.pem', '-days', '2',
    '-subj', `/CN=${name}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return { dir, cert: join(dir, 'cacert.pem'), key: join(dir, 'cakey.pem') };
}

async function makeLeaf(ca, dir, base, subject, extensions) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${base}.ext`), LEAF + extensions);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}key.pem`, '-out', `${base}.csr`, '-subj', subject], dir);
  await openssl(['x509', '-req', '-in', `${base}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial', String(Date.now()),
    '-out', `${base}cert.pem`, '-days', '2', '-extfile', `${base}.ext`], dir);
  return { cert: join(dir, `${base}cert.pem`), key: join(dir, `${base}key.pem`) };
}

/**
 * Makes the PKI under `dir`: the CA's certificate, the server's certificate and key, and pkipath= folders:
 *   clientDir     the CA, a client certificate it signed: accepted
 *   otherCaDir    the same client certificate with the other CA, which did not sign it
 *   alienDir      a client of the other CA only: it trusts not the server, the server trusts not it
 *   anonymousDir  the CA, no client certificate
 */
export async function makePki(dir) {
  const ca = await makeCa(join(dir, 'ca'), 'tsvirt test CA');
  const other = await makeCa(join(dir, 'other-ca'), 'tsvirt other CA');
  const server = await makeLeaf(ca, join(dir, 'server'), 'server', '/CN=127.0.0.1',
    'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
  const clientDir = join(dir, 'client');
  const client = await makeLeaf(ca, clientDir, 'client', '/CN=tsvirt test client', 'extendedKeyUsage=clientAuth\n');
  await copyFile(ca.cert, join(clientDir, 'cacert.pem'));
  const otherCaDir = join(dir, 'client-other-ca');
  await mkdir(otherCaDir, { recursive: true });
  await copyFile(client.cert, join(otherCaDir, 'clientcert.pem'));
  await copyFile(client.key, join(otherCaDir, 'clientkey.pem'));
  await copyFile(other.cert, join(otherCaDir, 'cacert.pem'));
  const alienDir = join(dir, 'alien');
  await makeLeaf(other, alienDir, 'client', '/CN=tsvirt alien client', 'extendedKeyUsage=clientAuth\n');
  await copyFile(other.cert, join(alienDir, 'cacert.pem'));
  const anonymousDir = join(dir, 'anonymous');
  await mkdir(anonymousDir);
  await copyFile(ca.cert, join(anonymousDir, 'cacert.pem'));
  return { caCert: ca.cert, serverCert: server.cert, serverKey: server.key, clientDir, otherCaDir, alienDir, anonymousDir };
}
