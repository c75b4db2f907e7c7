/** The one export of @digitalbazaar/credentials-context that the JSON-LD test reads (it ships no types). */
declare module '@digitalbazaar/credentials-context' {
  export const contexts: ReadonlyMap<string, unknown>;
}
