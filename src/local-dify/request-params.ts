import { UUID } from './conversation-store';
import { HttpError } from './http-error';

/** The end user Dify files a request under when it names none (or an empty one). */
export const DEFAULT_USER = 'DEFAULT-USER';

/** The `user` of a route where Dify makes it optional: absent or empty is Dify's default end user. */
export function endUser(value: unknown): string {
  return typeof value === 'string' && value !== '' ? value : DEFAULT_USER;
}

/** The `user` of a route where Dify requires it. */
export function requiredUser(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new HttpError(400, 'invalid_param', 'Arg user must be provided.');
  return value;
}

/** Pydantic's message for one bad field, as Dify's 400 carries it. */
export function invalidField(model: string, field: string, problem: string): HttpError {
  return new HttpError(400, 'invalid_param', `1 validation error for ${model}\n${field}\n  ${problem}`);
}

export function uuidParam(params: URLSearchParams, model: string, name: string, required = false): string | undefined {
  const value = params.get(name);
  if (value === null && required) throw invalidField(model, name, 'Field required [type=missing]');
  if (value && !UUID.test(value)) throw invalidField(model, name, 'Value error, must be a valid UUID [type=value_error]');
  return value || undefined;
}

/** An integer query parameter in [min, max], `fallback` when absent. */
export function intParam(
  params: URLSearchParams,
  model: string,
  name: string,
  range: { min: number; max: number; fallback: number },
): number {
  const value = params.get(name);
  if (value === null) return range.fallback;
  if (!/^[+-]?\d+$/.test(value))
    throw invalidField(model, name, 'Input should be a valid integer, unable to parse string as an integer [type=int_parsing]');
  const number = Number(value);
  if (number < range.min)
    throw invalidField(model, name, `Input should be greater than or equal to ${range.min} [type=greater_than_equal]`);
  if (number > range.max) throw invalidField(model, name, `Input should be less than or equal to ${range.max} [type=less_than_equal]`);
  return number;
}
