/** An app entry's provider settings are wrong: the message names the app and the field, never a value (it may be a key). */
export class ProviderSettingsError extends Error {
  constructor(app: string, field: string, problem: string) {
    super(`APPS.${app}.${field} ${problem}`);
    this.name = 'ProviderSettingsError';
  }
}

/** Reads one app entry's fields, each checked, the failures naming app and field. */
export class SettingsFields {
  constructor(
    private readonly app: string,
    private readonly entry: Record<string, unknown>,
  ) {}

  /** An http(s) URL, without a trailing slash. */
  url(field: string): string {
    const value = this.string(field);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw this.problem(field, 'must be an http(s) URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw this.problem(field, 'must be an http(s) URL');
    return value.replace(/\/+$/, '');
  }

  string(field: string): string {
    const value = this.entry[field];
    if (value === undefined) throw this.problem(field, 'is required');
    if (typeof value !== 'string' || value.trim() === '') throw this.problem(field, 'must be a non-empty string');
    return value;
  }

  optionalString(field: string): string | undefined {
    return this.entry[field] === undefined ? undefined : this.string(field);
  }

  optionalInt(field: string, min: number, max: number, fallback: number): number {
    const value = this.entry[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw this.problem(field, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  optionalObject(field: string): Record<string, unknown> | undefined {
    const value = this.entry[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw this.problem(field, 'must be a JSON object');
    return value as Record<string, unknown>;
  }

  oneOf<T extends string>(field: string, choices: readonly T[], fallback: T): T {
    const value = this.entry[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !choices.includes(value as T)) throw this.problem(field, `must be one of ${choices.join(', ')}`);
    return value as T;
  }

  private problem(field: string, what: string): ProviderSettingsError {
    return new ProviderSettingsError(this.app, field, what);
  }
}
