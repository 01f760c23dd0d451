import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { EXCEPTION_RESOLUTIONS, type ExceptionResolution } from '../../../domain/exception/exception.events';

/** Free text of a decision: 1–2000 characters, not blank, no control characters but tab and line breaks (the spec's `pattern` of notes and reasons; `tests/integration/openapi-patterns.test.ts` compares them). */
export const TEXT = /^(?=[\s\S]*\S)[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/;
const TEXT_MESSAGE = { message: '$property must not be blank nor contain control characters' };

/** `POST /v1/exceptions/{exceptionId}/acknowledge` (the body is optional). */
export class AcknowledgeExceptionDto {
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  @Matches(TEXT, TEXT_MESSAGE)
  note?: string;
}

/** An assignee: not blank, no control characters. */
export const ASSIGNEE = /^(?=.*\S)[^\u0000-\u001f\u007f]*$/;

/** `POST /v1/exceptions/{exceptionId}/assign`. */
export class AssignExceptionDto {
  /** Who works it: a name, an e-mail address or a team (the ledger does not check it against a directory). */
  @IsString()
  @Length(1, 200)
  @Matches(ASSIGNEE, { message: 'assignee must not be blank nor contain control characters' })
  assignee!: string;
}

/** `POST /v1/exceptions/{exceptionId}/resolve`. */
export class ResolveExceptionDto {
  @IsIn(EXCEPTION_RESOLUTIONS as ExceptionResolution[], { message: `resolution must be one of ${EXCEPTION_RESOLUTIONS.join(', ')}` })
  resolution!: ExceptionResolution;

  @IsString()
  @Length(1, 2000)
  @Matches(TEXT, TEXT_MESSAGE)
  note!: string;
}

/** `POST /v1/exceptions/{exceptionId}/reopen`. */
export class ReopenExceptionDto {
  @IsString()
  @Length(1, 2000)
  @Matches(TEXT, TEXT_MESSAGE)
  reason!: string;
}
