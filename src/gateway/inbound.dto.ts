import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';

/**
 * Printable: no control or format characters (zero-width, bidi overrides), no lone surrogate halves,
 * no line or paragraph separators. A session id names a Dify user and a Redis key, and is logged.
 */
const SESSION_ID = /^[^\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]+$/u;
const PRINTABLE = { message: 'session_id must be printable: no control or format characters, no lone surrogates' };

class SessionScoped {
  /** Names the session to continue (e.g. after a reconnect); a server-made id is used until then. */
  @IsOptional()
  @IsString()
  @Length(1, 128)
  @Matches(SESSION_ID, PRINTABLE)
  session_id?: string;
}

/**
 * Python clients of the replaced service send `is_final` as 0 or 1 (Python's `True == 1`, and ASR
 * SDKs that send ints): taken as false and true. Nothing else is coerced (`"true"`, `2` stay refused).
 */
export function isFinalOf(value: unknown): unknown {
  return value === 0 ? false : value === 1 ? true : value;
}

/** AsrChunkFastPath takes the chunks this class passes unchanged without running it: its spec checks that they agree. */
export class AsrChunkDto extends SessionScoped {
  /** Lone surrogate halves (broken UTF-16 from a client) become U+FFFD before anyone reads the text. */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toWellFormed() : value))
  @IsString()
  text!: string;

  @IsOptional()
  @Transform(({ value }: { value: unknown }) => isFinalOf(value))
  @IsBoolean()
  is_final?: boolean;
}

export class ControlDto extends SessionScoped {
  @IsString()
  action!: string;
}

export class KeepaliveDto extends SessionScoped {}

/** Asks for the rest of an answer after a reconnect: what the client has of it, and where its count stands. */
export class ResumeDto {
  @IsString()
  @Length(1, 128)
  @Matches(SESSION_ID, PRINTABLE)
  session_id!: string;

  @IsString()
  @Length(1, 128)
  answer_id!: string;

  @IsInt()
  @Min(0)
  offset!: number;

  @IsInt()
  @Min(0)
  stream_index!: number;
}

/** Opts this connection into protocol additions (see FEATURES); unknown names are ignored. */
export class HelloDto extends SessionScoped {
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  features!: string[];

  /** The session's values for the Dify app's input variables; checked against the app's form by the conversation. */
  @IsOptional()
  @IsObject()
  inputs?: Record<string, unknown>;
}

/** Rates one of the session's answers (Dify's message feedback); a null rating takes a rating back. */
export class FeedbackDto extends SessionScoped {
  @IsString()
  @Length(1, 128)
  answer_id!: string;

  @ValidateIf((_dto, value) => value !== null)
  @IsIn(['like', 'dislike'])
  rating!: 'like' | 'dislike' | null;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  content?: string;
}
