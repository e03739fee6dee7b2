import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { TASK_STATUSES, TaskStatus } from './batch.types';
import { MAX_TEXTS } from './create-task.dto';

export class ResultsQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  // No task has more results than that: a page past it is a client's mistake, said as one.
  @Max(MAX_TEXTS)
  page: number = 1;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  size: number = 100;
}

export class ListQueryDto {
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;
}
