import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  readonly serverCertFile: string;
  readonly serverKeyFile: string;
  /** Client certificates signed by the CA, by common name. */
  client(cn: string): { readonly cert: Buffer; readonly key: Buffer };
  /** A client certificate signed by another CA (one numbergate must refuse). */
  readonly strangerCert: Buffer;
  readonly strangerKey: Buffer;
  readonly ca: Buffer;
}

function openssl(dir: string, ...args: string[]): void {
  const run = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${run.stderr}`);
}

function selfSignedCa(dir: string, name: string): void {
  openssl(dir, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=${name}`);
}

function signed(dir: string, ca: string, name: string, cn: string, extensions: string): void {
  openssl(dir, "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, "x509", "-req", "-in", `${name}.csr`, "-CA", `${ca}.pem`, "-CAkey", `${ca}.key`, "-CAcreateserial", "-out", `${name}.pem`, "-days", "2", "-extfile", `${name}.ext`);
}

/** A throwaway CA, a server certificate for 127.0.0.1 and localhost, and client certificates, made with openssl in `dir`. */
export function makeTestCertificates(dir: string, clientNames: readonly string[]): TestCertificates {
  selfSignedCa(dir, "test-ca");
  selfSignedCa(dir, "stranger-ca");
  signed(dir, "test-ca", "server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  for (const cn of clientNames) signed(dir, "test-ca", `client-${cn}`, cn, "extendedKeyUsage=clientAuth\n");
  signed(dir, "stranger-ca", "stranger", clientNames[0] ?? "stranger", "extendedKeyUsage=clientAuth\n");
  const read = (file: string) => readFileSync(join(dir, file));
  return {
    dir,
    caFile: join(dir, "test-ca.pem"),
    serverCertFile: join(dir, "server.pem"),
    serverKeyFile: join(dir, "server.key"),
    client: (cn) => ({ cert: read(`client-${cn}.pem`), key: read(`client-${cn}.key`) }),
    strangerCert: read("stranger.pem"),
    strangerKey: read("stranger.key"),
    ca: read("test-ca.pem"),
  };
}
