import 'reflect-metadata';
import { expect } from 'chai';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsOptional, IsString, Max, Min, MinLength, ValidateNested } from 'class-validator';
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
      // a value of the wrong type is told its type alone, not every other constraint it then fails
      { field: 'lines[0].amount', message: 'amount must be a string' },
    ]);
  });

  it('one message per fault: a wrong type names the type only; null names null only (re-trial: revision "0" and null got three contradictory messages)', async () => {
    expect(await revisionErrorsOf('0')).to.deep.equal([{ field: 'revision', message: 'revision must be an integer number' }]);
    expect(await revisionErrorsOf(null)).to.deep.equal([{ field: 'revision', message: 'must not be null: leave the field out instead' }]);
    expect(await revisionErrorsOf(1.5)).to.deep.equal([{ field: 'revision', message: 'revision must be an integer number' }]);
    // a value of the right type keeps its range message
    expect(await revisionErrorsOf(-1)).to.deep.equal([{ field: 'revision', message: 'revision must not be less than 0' }]);
  });
});

class Revisioned {
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  revision!: number;
}

async function revisionErrorsOf(revision: unknown): Promise<{ field: string; message: string }[]> {
  try {
    await validateDto(Revisioned, { revision });
  } catch (err) {
    return (err as HttpProblem).extensions.errors ?? [];
  }
  throw new Error('expected a validation problem');
}

describe('request validation of keys class-transformer drops', () => {
  it('names __proto__ and constructor keys at any depth as fields that should not exist', async () => {
    const body = JSON.parse('{"reason":"r","__proto__":{"isAdmin":true},"lines":[{"amount":"1.00","constructor":"x"}]}') as unknown;
    expect(await errorsOf(body)).to.deep.equal([
      { field: '__proto__', message: '__proto__ should not exist' },
      { field: 'lines[0].constructor', message: 'constructor should not exist' },
    ]);
  });

  it('takes a body without them', async () => {
    expect(await validateDto(Body, { reason: 'r', lines: [{ amount: '1.00' }] })).to.include({ reason: 'r' });
  });
});
