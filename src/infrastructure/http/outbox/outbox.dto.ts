import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Query of `GET /v1/outbox`. */
export class OutboxQueryDto {
  @IsOptional()
  @IsIn(['pending', 'sent', 'failed'])
  status?: 'pending' | 'sent' | 'failed';

  @IsOptional()
  @IsString()
  @MaxLength(64)
  orderId?: string;

  @IsOptional()
  @IsString()
  cursor?: string;

  @IsOptional()
  @Matches(/^([1-9]\d{0,2})$/, { message: 'limit must be an integer from 1 to 500' })
  limit?: string;
}
