import { HttpException } from '@nestjs/common';
import { CreateTaskDto } from './create-task.dto';
import { DetailedValidationPipe } from './detailed-validation.pipe';
import { ResultsQueryDto } from './results-query.dto';

const pipe = new DetailedValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

async function refusal(value: unknown, metatype: new () => object, type: 'body' | 'query'): Promise<Record<string, unknown>> {
  const error = (await pipe.transform(value, { type, metatype }).catch((e: unknown) => e)) as HttpException;
  expect(error).toBeInstanceOf(HttpException);
  expect(error.getStatus()).toBe(400);
  return error.getResponse() as Record<string, unknown>;
}

describe('DetailedValidationPipe', () => {
  it("keeps today's 400 body and adds FastAPI's detail list, each problem where it is", async () => {
    const body = await refusal(
      { texts: ['ok', ''], options: { conversation: 1, provider: 'context' }, colour: 'red' },
      CreateTaskDto,
      'body',
    );
    expect(body).toMatchObject({
      statusCode: 400,
      error: 'Bad Request',
      message: expect.arrayContaining(['property colour should not exist']),
    });
    expect(body.detail).toEqual(
      expect.arrayContaining([
        { type: 'missing', loc: ['body', 'name'], msg: 'Field required' },
        { type: 'string_too_short', loc: ['body', 'texts'], msg: 'each value in texts should not be empty' },
        { type: 'knownOptionTypes', loc: ['body', 'options'], msg: 'options: conversation must be a boolean' },
        { type: 'extra_forbidden', loc: ['body', 'colour'], msg: 'property colour should not exist' },
      ]),
    );
    expect(await refusal({ page: '0' }, ResultsQueryDto, 'query')).toMatchObject({
      detail: [{ type: 'greater_than_equal', loc: ['query', 'page'], msg: 'page must not be less than 1' }],
    });
  });

  it('keeps every option key, known or not', async () => {
    const options = { conversation: true, provider: 'context', timeout: 30, nested: { a: [1] } };
    expect(await pipe.transform({ name: 'n', texts: ['q'], options }, { type: 'body', metatype: CreateTaskDto })).toMatchObject({
      options,
    });
  });
});
