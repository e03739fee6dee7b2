import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateBy } from 'class-validator';
import type { TaskOptions } from './batch.types';

/** The most items a task has: texts given, or questions found in a transcript. */
export const MAX_TEXTS = 10_000;
/** The longest text, or question found in a transcript. */
export const MAX_TEXT_CHARS = 4000;

/** The options this service acts on, with their types; any other key is kept as it came, unused. */
const KNOWN_OPTIONS = {
  /** One Dify conversation for the whole task, its items asked in order. */
  conversation: 'boolean',
} as const;

export const unknownOptionKeys = (options: TaskOptions): string[] => Object.keys(options).filter((key) => !(key in KNOWN_OPTIONS));

/** The known options have their types (the replaced service took any object, so others are let be). */
function KnownOptionTypes(): PropertyDecorator {
  return ValidateBy({
    name: 'knownOptionTypes',
    validator: {
      validate: (options: unknown) =>
        typeof options === 'object' &&
        options !== null &&
        Object.entries(KNOWN_OPTIONS).every(([key, type]) => {
          const value = (options as TaskOptions)[key];
          return value === undefined || typeof value === type;
        }),
      defaultMessage: () =>
        `options: ${Object.entries(KNOWN_OPTIONS)
          .map(([key, type]) => `${key} must be a ${type}`)
          .join(', ')}`,
    },
  });
}

/** `texts` to answer each, or a `transcript` whose questions are answered: one of the two. */
export class CreateTaskDto {
  @ApiProperty({ maxLength: 200, example: 'faq' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ type: [String], minItems: 1, maxItems: MAX_TEXTS, description: 'The questions, each 1–4000 characters.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TEXTS)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(MAX_TEXT_CHARS, { each: true })
  texts?: string[];

  @ApiPropertyOptional({ description: 'A text whose questions (as the question detector finds them) are answered; instead of texts.' })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  transcript?: string;

  @ApiPropertyOptional({
    maxLength: 64,
    example: 'hr',
    description:
      'The app (knowledge base) every item asks: one of the deployment’s APPS. Without it: DEFAULT_APP. An app that does not exist or that the caller may not use: 403 with code UNKNOWN_APP.',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(64)
  app?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    properties: { conversation: { type: 'boolean', description: 'Every item in one Dify conversation, asked in order.' } },
    description: 'Any object, kept and shown in the task (as the replaced service did); only `conversation` is acted on.',
    example: { conversation: false, provider: 'context', timeout: 30 },
  })
  @IsOptional()
  @IsObject()
  @KnownOptionTypes()
  options?: TaskOptions;
}
