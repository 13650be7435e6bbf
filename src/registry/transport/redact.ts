// Secrets are registered once, when they are read, so that every message built later can be
// scrubbed without knowing where the secret came from (a password, a token, a Basic header).

const secrets = new Set<string>();

/** The text that stands in for a secret in messages. */
export const REDACTED = "***";

/** Query parameters that carry credentials or signed state in registry and storage URLs. */
const SENSITIVE_PARAMETERS =
  /^(?:.*token.*|password|passwd|secret|signature|x-amz-signature|x-amz-credential|x-amz-security-token|sig|se|_state|code|client_secret|refresh_token)$/i;

/**
 * Remembers a secret so that `redactText` replaces it wherever it appears. Secrets shorter than
 * four characters are not registered: replacing them would mangle ordinary words.
 */
export function registerSecret(secret: string | undefined): void {
  if (secret === undefined || secret.length < 4) return;
  secrets.add(secret);
  // A Basic header carries the secret base64-encoded together with the user name; the encoded
  // form of the password alone is not a substring of it, so callers register the pair too.
}

/** Replaces every registered secret in the text with `***`. */
export function redactText(text: string): string {
  let result = text;
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/**
 * A URL fit for a message: user info removed and credential-like query values replaced with
 * `***`. Text that is not a URL is returned with registered secrets redacted.
 */
export function redactUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    return redactText(String(url));
  }
  parsed.username = "";
  parsed.password = "";
  for (const name of [...parsed.searchParams.keys()]) {
    if (SENSITIVE_PARAMETERS.test(name)) parsed.searchParams.set(name, REDACTED);
  }
  return redactText(parsed.toString());
}
