import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

/** Query parameters every list query shares. */
export class ListQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  cursor?: string;

  @IsOptional()
  @Matches(/^[1-9]\d{0,2}$/, { message: 'must be an integer from 1 to 500' })
  limit?: string;

  @IsOptional()
  @Matches(/^\d{1,40}$/, { message: 'must be a log position (a decimal string)' })
  minPosition?: string;
}

/** `GET /v1/orders/{orderId}/events`. */
export class OrderEventsQueryDto extends ListQueryDto {
  /** Comma-separated event types. */
  @IsOptional()
  @Matches(/^[A-Za-z]+(,[A-Za-z]+)*$/, { message: 'must be event types separated by commas, e.g. RefundRequested,RefundRecordedInScayle' })
  type?: string;
}

/** `GET /v1/orders/{orderId}/reconciliation`: only `minPosition` (always met: read live from the log). */
export class ReconciliationQueryDto {
  @IsOptional()
  @Matches(/^\d{1,40}$/, { message: 'must be a log position (a decimal string)' })
  minPosition?: string;
}
