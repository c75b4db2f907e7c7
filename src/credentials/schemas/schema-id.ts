/** The stable `$id` of a data-space credential schema, independent of where it is served. */
export function schemaId(type: string, version: string): string {
  return `urn:dataspace-trust:schema:${type}:${version}`;
}

/** Where the service publishes a schema: `${PUBLIC_URL}/api/v1/schemas/{type}/{version}`. */
export function schemaUrl(publicUrl: string, type: string, version: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/api/v1/schemas/${encodeURIComponent(type)}/${encodeURIComponent(version)}`;
}

/** A credential type name as a directory name: `LegalPersonCredential`. */
export const TYPE_PATTERN = /^[A-Z][A-Za-z0-9]{0,99}$/;
/** A schema version as a file stem: `v1`, `v2`, ... */
export const VERSION_PATTERN = /^v([1-9][0-9]{0,5})$/;
