/**
 * RFC 6749 names the members of token requests and responses in snake_case;
 * some providers spell them `GrantType` (Twilio) or `grantType` (AWS). A name
 * is matched to its RFC name when the two differ only in case and in `_`/`-`
 * separators, so `client_id`, `ClientId` and `clientId` are one name.
 */
export function spellingKey(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, "");
}

/**
 * The name among `names` that spells `rfcName`: the exact RFC name when
 * present, else the single name with the same {@link spellingKey}. Two
 * non-RFC spellings of one name (`ClientId` and `clientId`) are not guessed between.
 */
export function spellingOf(names: Iterable<string>, rfcName: string): string | undefined {
  const matches: string[] = [];
  const key = spellingKey(rfcName);
  for (const name of names) {
    if (name === rfcName) return name;
    if (spellingKey(name) === key) matches.push(name);
  }
  return matches.length === 1 ? matches[0] : undefined;
}
