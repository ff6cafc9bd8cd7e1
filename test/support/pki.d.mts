export interface Pki {
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** A `pkipath=` folder: cacert.pem, clientcert.pem, clientkey.pem. */
  clientDir: string;
  /** The same client identity, with a CA that did not sign it. */
  otherCaDir: string;
  /** A client of the other CA only: it trusts not the server, the server trusts not it. */
  alienDir: string;
  /** The CA, no client certificate. */
  anonymousDir: string;
}
export function makePki(dir: string): Promise<Pki>;
