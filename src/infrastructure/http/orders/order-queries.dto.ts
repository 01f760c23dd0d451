import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../pagination';

/** Query parameters every list query of the read side shares: the page and `minPosition`. */
export class ListQueryDto extends PageQueryDto {
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

/** `GET /v1/orders/{orderId}/reconciliation`: `minPosition` (always met up to the log head: read live from the log; beyond it a 400), `asOf` (issue 7). */
export class ReconciliationQueryDto {
  /** A log position (digits) or an ISO-8601 instant with offset; checked by `parseAsOf`. */
  @IsOptional()
  @IsString()
  @MaxLength(64)
  asOf?: string;

  @IsOptional()
  @Matches(/^\d{1,40}$/, { message: 'must be a log position (a decimal string)' })
  minPosition?: string;
}
