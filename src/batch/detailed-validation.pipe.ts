import { ArgumentMetadata, HttpException, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';

/** One of FastAPI's validation errors, as the replaced service's clients read them in `detail`. */
export interface ValidationDetail {
  type: string;
  loc: Array<string | number>;
  msg: string;
}

/** Pydantic's names for what a class-validator constraint checks; others keep the constraint's name. */
const PYDANTIC_TYPES: Record<string, string> = {
  whitelistValidation: 'extra_forbidden',
  isString: 'string_type',
  isBoolean: 'bool_type',
  isArray: 'list_type',
  isObject: 'dict_type',
  isInt: 'int_parsing',
  isIn: 'enum',
  isNotEmpty: 'string_too_short',
  maxLength: 'string_too_long',
  arrayMinSize: 'too_short',
  arrayMaxSize: 'too_long',
  min: 'greater_than_equal',
  max: 'less_than_equal',
};

/** Carries the errors from the exception factory to `transform`, which knows where they are (body, query…). */
class InvalidInput {
  constructor(
    readonly errors: ValidationError[],
    readonly refusal: HttpException,
  ) {}
}

/**
 * The ValidationPipe with today's 400 body (`message`: the problems as sentences) plus `detail`: the
 * same problems as FastAPI's list of `{type, loc, msg}`, which the replaced service answered (in a 422).
 */
export class DetailedValidationPipe extends ValidationPipe {
  constructor(options: ValidationPipeOptions) {
    super(options);
    const refusal = this.exceptionFactory;
    this.exceptionFactory = (errors: ValidationError[]) => new InvalidInput(errors, refusal(errors) as HttpException);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (error) {
      if (!(error instanceof InvalidInput)) throw error;
      // The same errors the message names, no more: a body of many unknown fields gets a bounded answer.
      const limited = this.limitValidationErrors(error.errors, { remaining: this.maxErrorMessagesLength, isExceeded: false });
      const where = metadata.type === 'param' ? 'path' : metadata.type;
      const detail = limited.flatMap((item) => details(item, [where]));
      throw new HttpException({ ...(error.refusal.getResponse() as object), detail }, error.refusal.getStatus());
    }
  }
}

function details(error: ValidationError, parent: Array<string | number>): ValidationDetail[] {
  const loc = [...parent, /^\d+$/.test(error.property) ? Number(error.property) : error.property];
  const constraints = Object.entries(error.constraints ?? {});
  const own =
    error.value === undefined && constraints.length > 0 && !error.constraints?.whitelistValidation
      ? [{ type: 'missing', loc, msg: 'Field required' }]
      : constraints.map(([name, msg]) => ({ type: PYDANTIC_TYPES[name] ?? name, loc, msg }));
  return [...own, ...(error.children ?? []).flatMap((child) => details(child, loc))];
}
