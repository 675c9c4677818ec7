import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { IncomingHttpHeaders } from "node:http";

/**
 * Verifies an AWS Signature Version 4 `Authorization` header the way an AWS endpoint would, for the
 * fake ECR endpoint: the request must be signed with the expected key pair, for the expected region
 * and service. Written from AWS's published signing process (canonical request, string to sign,
 * derived signing key), enough for the JSON-protocol POSTs the ECR helper makes.
 */

export interface SignedRequest {
  readonly method: string;
  /** Path and query as received, e.g. "/" */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface SigV4Expectation {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  readonly service: string;
}

export type SigV4Result =
  | { readonly ok: true; readonly accessKeyId: string }
  | {
      readonly ok: false;
      readonly error:
        | "MissingAuthenticationTokenException"
        | "IncompleteSignatureException"
        | "UnrecognizedClientException"
        | "InvalidSignatureException";
      readonly reason: string;
    };

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

const sha256hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return (Array.isArray(v) ? v.join(",") : (v ?? "")).trim().replace(/\s+/g, " ");
}

function canonicalQuery(query: string): string {
  if (query === "") return "";
  return query
    .split("&")
    .map((p) =>
      p
        .split("=", 2)
        .map((s) => encodeURIComponent(decodeURIComponent(s ?? "")))
        .join("="),
    )
    .sort()
    .join("&");
}

export function verifySigV4(req: SignedRequest, expected: SigV4Expectation): SigV4Result {
  const authorization = headerValue(req.headers, "authorization");
  if (authorization === "") return { ok: false, error: "MissingAuthenticationTokenException", reason: "no Authorization header" };
  const m = AUTH.exec(authorization);
  if (!m) return { ok: false, error: "IncompleteSignatureException", reason: "Authorization header is not SigV4" };
  const [, accessKeyId, date, region, service, signedHeaders, signature] = m as unknown as string[];
  if (accessKeyId !== expected.accessKeyId)
    return { ok: false, error: "UnrecognizedClientException", reason: `unknown access key ${accessKeyId}` };
  if (region !== expected.region || service !== expected.service) {
    return {
      ok: false,
      error: "InvalidSignatureException",
      reason: `scope ${region}/${service}, expected ${expected.region}/${expected.service}`,
    };
  }
  const amzDate = headerValue(req.headers, "x-amz-date");
  if (!amzDate.startsWith(date!))
    return { ok: false, error: "IncompleteSignatureException", reason: "x-amz-date does not match the credential scope" };
  const names = signedHeaders!.split(";");
  if (!names.includes("host")) return { ok: false, error: "IncompleteSignatureException", reason: "host is not signed" };

  const [path = "/", query = ""] = req.url.split("?", 2);
  const payloadHash = headerValue(req.headers, "x-amz-content-sha256") || sha256hex(req.body);
  const canonicalRequest = [
    req.method,
    path,
    canonicalQuery(query),
    names.map((n) => `${n}:${headerValue(req.headers, n)}\n`).join(""),
    signedHeaders,
    payloadHash,
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256hex(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${expected.secretAccessKey}`, date!), region!), service!), "aws4_request");
  const computed = hmac(key, stringToSign);
  if (!timingSafeEqual(computed, Buffer.from(signature!, "hex"))) {
    return { ok: false, error: "InvalidSignatureException", reason: "signature does not match" };
  }
  return { ok: true, accessKeyId: accessKeyId! };
}
