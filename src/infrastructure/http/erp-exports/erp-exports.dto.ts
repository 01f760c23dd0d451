import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination';
import { PERIOD_PATTERN } from '../../../domain/shared/streams';
import { oneOfMessage } from '../validation';

const EXPORT_STATUSES = ['pending', 'blocked', 'exported', 'failed'];

/** Query of `GET /v1/erp/exports`. */
export class ErpExportsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(EXPORT_STATUSES, { message: oneOfMessage(EXPORT_STATUSES) })
  status?: 'pending' | 'blocked' | 'exported' | 'failed';

  @IsOptional()
  @Matches(PERIOD_PATTERN, { message: 'must be YYYY-MM' })
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
