/** A configuration value that stops the start. The message names the variable and what is wrong. */
export class ConfigError extends Error {
  readonly code = 'invalid_configuration';
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}
