import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** A throwaway CA and one server certificate for the given DNS names, made with openssl in `dir`. */
export interface TestPki {
  readonly caCertPath: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly caCert: string;
  readonly cert: string;
  readonly key: string;
}

export function makeTestPki(dir: string, dnsNames: readonly string[]): TestPki {
  const p = (f: string) => join(dir, f);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
  openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-days",
    "1",
    "-keyout",
    p("ca.key"),
    "-out",
    p("ca.pem"),
    "-subj",
    "/CN=gitlab-runner-ecr e2e test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  openssl(
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    p("server.key"),
    "-out",
    p("server.csr"),
    "-subj",
    "/CN=gitlab-runner-ecr e2e",
  );
  writeFileSync(
    p("server.ext"),
    [
      `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(",")}`,
      "basicConstraints=CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
      "",
    ].join("\n"),
  );
  openssl(
    "x509",
    "-req",
    "-in",
    p("server.csr"),
    "-CA",
    p("ca.pem"),
    "-CAkey",
    p("ca.key"),
    "-CAcreateserial",
    "-days",
    "1",
    "-out",
    p("server.pem"),
    "-extfile",
    p("server.ext"),
  );
  return {
    caCertPath: p("ca.pem"),
    certPath: p("server.pem"),
    keyPath: p("server.key"),
    caCert: readFileSync(p("ca.pem"), "utf8"),
    cert: readFileSync(p("server.pem"), "utf8"),
    key: readFileSync(p("server.key"), "utf8"),
  };
}
