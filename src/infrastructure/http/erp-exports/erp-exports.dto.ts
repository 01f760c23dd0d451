import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination';
import { PERIOD_PATTERN } from '../../../domain/shared/streams';

/** Query of `GET /v1/erp/exports`. */
export class ErpExportsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(['pending', 'blocked', 'exported', 'failed'])
  status?: 'pending' | 'blocked' | 'exported' | 'failed';

  @IsOptional()
  @Matches(PERIOD_PATTERN, { message: 'period must be an accounting period YYYY-MM (year 0001 to 9999)' })
  period?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  orderId?: string;
}

/** Body of `POST /v1/erp/exports/run` (optional). */
export class RunErpExportsDto {
  /** Re-open exports given up earlier (`failed`) before sending. */
  @IsOptional()
  @IsBoolean()
  retry_failed?: boolean;
}
