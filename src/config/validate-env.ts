import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

type Constructor<T> = new () => T;

/**
 * Validates the environment variables one config namespace reads. A bad value throws an Error
 * naming each offending variable, which stops start-up. Values are never echoed: some are secrets.
 */
export function validateEnv<T extends object>(env: NodeJS.ProcessEnv, schema: Constructor<T>): T {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = plainToInstance(schema, present, { enableImplicitConversion: true });
  const errors = validateSync(parsed, { skipMissingProperties: false });
  if (errors.length > 0) {
    const lines = errors.map((error) => `  ${error.property}: ${Object.values(error.constraints ?? {}).join('; ')}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed;
}
