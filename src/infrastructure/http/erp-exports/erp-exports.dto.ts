import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination';

/** Query of `GET /v1/erp/exports`. */
export class ErpExportsQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(['pending', 'blocked', 'exported', 'failed'])
  status?: 'pending' | 'blocked' | 'exported' | 'failed';

  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'period must be an accounting period YYYY-MM' })
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
