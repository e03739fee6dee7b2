import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { wireErrors } from '../protocol';
import { AsrChunkDto, ControlDto, FeedbackDto, HelloDto, KeepaliveDto, ResumeDto } from './inbound.dto';
import { reservedKeyPath } from './reserved-keys';

const DTOS: ReadonlySet<unknown> = new Set([AsrChunkDto, ControlDto, FeedbackDto, HelloDto, KeepaliveDto, ResumeDto]);

/**
 * Turns an inbound message into its DTO and validates it; a bad field becomes an INVALID_MESSAGE
 * error naming it, and so does a key such as `constructor` anywhere in it (reserved-keys.ts), before
 * class-transformer meets it. Synchronous (class-validator's validateSync): Nest's ValidationPipe validates
 * asynchronously, a handful of promises per frame, and partial ASR chunks are the most frequent
 * message there is (npm run bench).
 */
@Injectable()
export class ProtocolValidationPipe implements PipeTransform {
  transform(value: unknown, { metatype }: ArgumentMetadata): unknown {
    if (!DTOS.has(metatype)) return value;
    const reserved = reservedKeyPath(value);
    if (reserved !== undefined) throw wireErrors.reservedKey(reserved);
    const dto = plainToInstance<object, unknown>(metatype as new () => object, value);
    const errors = validateSync(dto, { forbidUnknownValues: false, validationError: { target: false, value: false } });
    if (errors.length > 0) throw wireErrors.invalidFields(describe(errors));
    return dto;
  }
}

function describe(errors: ValidationError[]): string {
  return errors.flatMap((error) => Object.values(error.constraints ?? { [error.property]: `${error.property} is invalid` })).join('; ');
}
