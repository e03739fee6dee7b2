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

export const MAX_TEXTS = 10_000;

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
  @MaxLength(4000, { each: true })
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
