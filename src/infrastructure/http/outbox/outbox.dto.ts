import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination';
import { oneOfMessage } from '../validation';

const OUTBOX_STATUSES = ['pending', 'sent', 'failed'];

/** Query of `GET /v1/outbox`. */
export class OutboxQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(OUTBOX_STATUSES, { message: oneOfMessage(OUTBOX_STATUSES) })
  status?: 'pending' | 'sent' | 'failed';

  @IsOptional()
  @IsString()
  @MaxLength(64)
  orderId?: string;
}
