import 'reflect-metadata';
import { expect } from 'chai';
import { Type } from 'class-transformer';
import { IsArray, IsOptional, IsString, MinLength, ValidateNested } from 'class-validator';
import type { HttpProblem } from '../../../src/infrastructure/http/problem-details';
import { validateDto } from '../../../src/infrastructure/http/validation';

class Line {
  @IsString()
  @MinLength(1)
  amount!: string;
}

class Body {
  @IsString()
  @MinLength(1)
  reason!: string;

  @IsOptional()
  @IsString()
  note?: string;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => Line)
  lines!: Line[];
}

async function errorsOf(body: unknown): Promise<{ field: string; message: string }[]> {
  try {
    await validateDto(Body, body);
  } catch (err) {
    return (err as HttpProblem).extensions.errors ?? [];
  }
  throw new Error('expected a validation problem');
}

describe('request validation messages', () => {
  it('names a missing required field once, as "is required", instead of every constraint it fails', async () => {
    expect(await errorsOf({ lines: [{}] })).to.deep.equal([
      { field: 'reason', message: 'is required' },
      { field: 'lines[0].amount', message: 'is required' },
    ]);
  });

  it('keeps the constraint messages of a field that is present but wrong', async () => {
    expect(await errorsOf({ reason: '', lines: [{ amount: 5 }], note: 3 })).to.deep.equal([
      { field: 'reason', message: 'reason must be longer than or equal to 1 characters' },
      { field: 'note', message: 'note must be a string' },
      { field: 'lines[0].amount', message: 'amount must be longer than or equal to 1 characters' },
      { field: 'lines[0].amount', message: 'amount must be a string' },
    ]);
  });
});
