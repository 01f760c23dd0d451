import { IsString, Length, Matches } from 'class-validator';

/** `POST /v1/ingest/failures/{failureId}/dismiss`. */
export class DismissFailureDto {
  /** Why the record is not needed (kept with the dismissal). */
  @IsString()
  @Length(1, 2000)
  @Matches(/^(?=[\s\S]*\S)[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/, { message: 'reason must not be blank nor contain control characters' })
  reason!: string;
}
