/** Why the credential schemas cannot be loaded. Each has a stable code. */
export type CredentialSchemaErrorCode =
  | 'credential_schemas_unreadable'
  | 'credential_schema_invalid_json'
  | 'credential_schema_invalid';

/**
 * A credential-schema file that stops the start. The message begins with the file path and
 * says what is wrong (bad JSON, wrong `$id`, not a valid JSON Schema 2020-12, ...).
 */
export class CredentialSchemaError extends Error {
  constructor(
    readonly code: CredentialSchemaErrorCode,
    message: string,
    /** The offending file or directory. */
    readonly file: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'CredentialSchemaError';
  }
}
