/** Why a rulebook cannot be loaded or accepted. Each has a stable code. */
export type RulebookErrorCode =
  /** No rulebook.yaml / rulebook.json, both of them, or the file cannot be read. */
  | 'rulebook_unreadable'
  /** Not YAML or JSON. */
  | 'rulebook_syntax'
  /** Not of the format (rulebook/rulebook.schema.json). */
  | 'rulebook_invalid'
  /** Of the format, but breaks a rule the schema cannot express (unique role ids, ...). */
  | 'rulebook_inconsistent'
  /** The file has an adopted version's number but different content. */
  | 'rulebook_version_changed';

/**
 * A rulebook that stops the start (or a proposed amendment that is refused). The message
 * begins with its source (the file path) and says what is wrong, e.g.
 * `rulebook/rulebook.yaml: /decisions missing required property renew`.
 */
export class RulebookError extends Error {
  constructor(
    readonly code: RulebookErrorCode,
    message: string,
    /** The file, or another description of where the rulebook came from. */
    readonly source: string,
  ) {
    super(`${source}: ${message}`);
    this.name = 'RulebookError';
  }
}

export type RulebookStoreErrorCode =
  /** No rulebook has been adopted yet (the service adopts one at first start). */
  | 'rulebook_not_adopted'
  /** `adopt` of a version that is already adopted. */
  | 'rulebook_version_exists'
  /** `adopt` of a version not higher (semver precedence) than the current one. */
  | 'rulebook_version_not_newer'
  /** Another adoption committed concurrently; retry the motion's transaction. */
  | 'rulebook_adoption_conflict'
  /** A stored version's content no longer matches its hash. */
  | 'rulebook_corrupt';

/** Why the rulebook versions in the database refuse an operation. */
export class RulebookStoreError extends Error {
  constructor(
    readonly code: RulebookStoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RulebookStoreError';
  }
}

/** A role list that names no role, or a role the rulebook does not define. */
export class InvalidRolesError extends Error {
  readonly code = 'invalid_roles';
  constructor(
    message: string,
    /** The unknown role ids (empty when none were named). */
    readonly unknown: readonly string[],
  ) {
    super(message);
    this.name = 'InvalidRolesError';
  }
}
