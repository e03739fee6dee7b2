import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';

/** The most items a task has: texts given, or questions found in a transcript. */
export const MAX_TEXTS = 10_000;
/** The longest text, or question found in a transcript. */
export const MAX_TEXT_CHARS = 4000;

export class TaskOptionsDto {
  /** One Dify conversation for the whole task, its items asked in order. */
  @IsOptional()
  @IsBoolean()
  conversation?: boolean;
}

/** `texts` to answer each, or a `transcript` whose questions are answered: one of the two. */
export class CreateTaskDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_TEXTS)
  @IsString({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(MAX_TEXT_CHARS, { each: true })
  texts?: string[];

  @IsOptional()
  @IsString()
  @IsNotEmpty()
  transcript?: string;

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => TaskOptionsDto)
  options?: TaskOptionsDto;
}
