import { ValidationError, ValidationPipe } from '@nestjs/common';
import { ProtocolError } from '../protocol';

/** Validates inbound DTOs; a bad field becomes an INVALID_MESSAGE error naming it. */
export const protocolValidationPipe = new ValidationPipe({
  transform: true,
  forbidUnknownValues: false,
  validationError: { target: false, value: false },
  exceptionFactory: (errors: ValidationError[]) =>
    new ProtocolError('INVALID_MESSAGE', `Invalid message: ${describe(errors)}.`),
});

function describe(errors: ValidationError[]): string {
  return errors.flatMap((error) => Object.values(error.constraints ?? { [error.property]: `${error.property} is invalid` })).join('; ');
}
