import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination';

/** Query of `GET /v1/outbox`. */
export class OutboxQueryDto extends PageQueryDto {
  @IsOptional()
  @IsIn(['pending', 'sent', 'failed'])
  status?: 'pending' | 'sent' | 'failed';

  @IsOptional()
  @IsString()
  @MaxLength(64)
  orderId?: string;
}
