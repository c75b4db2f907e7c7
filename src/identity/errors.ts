/** Why the service identity cannot be opened or changed. Each has a stable code. */
export type IdentityErrorCode =
  | 'key_secret_mismatch'
  | 'did_mismatch'
  | 'no_keys_to_retire'
  | 'identity_not_initialised';

export class IdentityError extends Error {
  constructor(
    readonly code: IdentityErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IdentityError';
  }
}

/** The key-encryption secret does not open a stored private key. */
export class KeyDecryptionError extends IdentityError {
  constructor(readonly kid: string) {
    super(
      'key_secret_mismatch',
      'KEY_ENCRYPTION_SECRET does not decrypt the service keys stored in the database. ' +
        'Start with the secret the keys were created with (DATA_DIR/secrets/key-encryption.key ' +
        'when none was configured); the service will not create new keys in their place.',
    );
    this.name = 'KeyDecryptionError';
  }
}
