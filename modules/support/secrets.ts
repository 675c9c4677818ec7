/**
 * What must never be written into a configuration, cdk.tf.json, the plan or the state: GitLab
 * tokens, AWS access keys and secret access keys, private keys, and any of these base64-encoded.
 * One detector, used by the configuration validator (on every key and value of the raw input) and
 * by the no-secret-literal rule (on every key and value of the synthesized document). Findings
 * describe what was found, never the text itself.
 */

/**
 * GitLab token prefixes, as GitLab's token overview documents them (doc/security/tokens, "Token
 * prefixes"). glrtr- stands before glrt- so that it is named as itself.
 */
export const GITLAB_TOKEN_PREFIXES: readonly (readonly [prefix: string, what: string])[] = [
  ["glagent-", "a GitLab agent for Kubernetes token"],
  ["glsoat-", "a GitLab SCIM OAuth access token"],
  ["glffct-", "a GitLab feature flags client token"],
  ["glcbt-", "a GitLab CI/CD job token"],
  ["glimt-", "a GitLab incoming mail token"],
  ["gloas-", "a GitLab OAuth application secret"],
  ["glpat-", "a GitLab personal, project or group access token"],
  ["glptt-", "a GitLab pipeline trigger token"],
  ["glrtr-", "a GitLab runner authentication token"],
  ["glrt-", "a GitLab runner authentication token"],
  ["gldt-", "a GitLab deploy token"],
  ["glft-", "a GitLab feed token"],
  ["glwt-", "a GitLab workspace token"],
  // Not in that table, but the prefix of legacy runner registration tokens in GitLab's code.
  ["GR1348941", "a GitLab runner registration token"],
  ["_gitlab_session=", "a GitLab session cookie"],
];

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A prefix at the start of a word, followed by at least 8 token characters. */
const GITLAB_TOKEN = new RegExp(`(?:^|[^A-Za-z0-9])(${GITLAB_TOKEN_PREFIXES.map(([p]) => escapeRegExp(p)).join("|")})[A-Za-z0-9_.-]{8,}`);

/** Access key ids of IAM users (AKIA) and of temporary credentials (ASIA). */
const AWS_ACCESS_KEY_ID = /(?:^|[^A-Z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9])/;

/** PEM private keys of every kind (RSA, EC, OPENSSH, ENCRYPTED, PKCS#8). */
const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;

/** 40 characters of base64, not part of a longer run: the shape of an AWS secret access key. */
const FORTY_BASE64 = /(?:^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/g;

/** A key or field name that says its value is secret. */
const SECRET_NAME = /secret|passw(or)?d|credential|private.?key|access.?key|token/i;

/** Base64 (standard or URL-safe) runs long enough to hide a token. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;

function shannonBitsPerChar(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

/**
 * Whether 40 base64 characters look like a random secret rather than a name or a path: upper
 * case, lower case and a digit, no leading slash, and close to the entropy of random base64
 * (random 40-character keys measure about 4.9 bits a character; camel-case paths well under 4.4).
 */
function looksRandom(candidate: string): boolean {
  return (
    /[A-Z]/.test(candidate) &&
    /[a-z]/.test(candidate) &&
    /[0-9]/.test(candidate) &&
    !candidate.startsWith("/") &&
    shannonBitsPerChar(candidate) >= 4.4
  );
}

/** What a plain text holds, without looking inside base64. */
function plainSecretIn(text: string, name: string | undefined): string | undefined {
  const token = GITLAB_TOKEN.exec(text);
  if (token) return GITLAB_TOKEN_PREFIXES.find(([p]) => p === token[1])![1];
  if (AWS_ACCESS_KEY_ID.test(text)) return "an AWS access key id";
  if (PRIVATE_KEY.test(text)) return "a private key";
  for (const match of text.matchAll(FORTY_BASE64)) {
    const candidate = match[1]!;
    if ((name !== undefined && SECRET_NAME.test(name)) || looksRandom(candidate)) return "an AWS secret access key";
  }
  return undefined;
}

function decodeBase64(run: string): string | undefined {
  const standard = run.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  if (standard.length % 4 === 1) return undefined;
  const text = Buffer.from(standard, "base64").toString("latin1");
  // Only text is worth scanning again: a token's base64 decodes to printable characters.
  return /^[\x09\x0a\x0d\x20-\x7e]*$/.test(text) ? text : undefined;
}

/**
 * What kind of secret `text` holds, e.g. "a GitLab runner authentication token", or undefined.
 * `name` is the key or field the text belongs to: under a name such as `secret_key`, any 40
 * base64 characters count as an AWS secret access key. Base64 of a secret counts as the secret.
 */
export function secretIn(text: string, name?: string): string | undefined {
  const plain = plainSecretIn(text, name);
  if (plain !== undefined) return plain;
  for (const [run] of text.matchAll(BASE64_RUN)) {
    const decoded = decodeBase64(run);
    const inside = decoded === undefined ? undefined : plainSecretIn(decoded, name);
    if (inside !== undefined) return `${inside}, base64-encoded`;
  }
  return undefined;
}

/**
 * `text` with every whitespace- or quote-delimited word that holds a secret replaced by a
 * placeholder: the last safeguard on messages that quote input (a parser's error, say).
 */
export function redactSecrets(text: string): string {
  return text.replace(/[^\s"'`]+/g, (word) => {
    const what = secretIn(word);
    return what === undefined ? word : `<redacted: ${what}>`;
  });
}
