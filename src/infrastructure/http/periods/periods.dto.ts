import { Type } from 'class-transformer';
import { IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';

/** Closing despite blocking exceptions: why (recorded with the exceptions it overrides). */
export class CloseOverrideDto {
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/, { message: 'must not be blank' })
  reason!: string;
}

/** `POST /v1/periods/{period}/close`. */
export class ClosePeriodDto {
  @IsOptional()
  @ValidateNested()
  @Type(() => CloseOverrideDto)
  override?: CloseOverrideDto;
}

/** `POST /v1/periods/{period}/reopen`. */
export class ReopenPeriodDto {
  @IsString()
  @Length(1, 2000)
  @Matches(/\S/, { message: 'must not be blank' })
  reason!: string;
}

/** `POST /v1/periods/{period}/replay`. */
export class ReplayPeriodDto {
  /** Default: the latest snapshot. */
  @IsOptional()
  @IsString()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-v[1-9]\d{0,5}$/, { message: 'must be a snapshot id such as 2024-06-v1' })
  snapshotId?: string;
}
