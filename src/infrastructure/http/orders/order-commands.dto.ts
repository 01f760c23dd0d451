import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { CODE_TEXT, CODE_TEXT_MESSAGE } from '../dto/calendar.validators';
import { IsDecimalString } from '../dto/decimal.validators';
import { TEXT } from '../exceptions/exceptions.dto';

/** One refunded item: the Scayle order item id and the amount refunded for it (major units). */
export class RefundItemDto {
  @IsString()
  @Length(1, 64)
  order_item_id!: string;

  @IsDecimalString('19.99')
  amount!: string;
}

/** `POST /v1/orders/{orderId}/refunds`. */
export class RequestRefundDto {
  @IsDecimalString('19.99')
  amount!: string;

  @Matches(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as "EUR"' })
  currency!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => RefundItemDto)
  refund_items!: RefundItemDto[];

  @IsString()
  @Length(1, 500)
  @Matches(TEXT, { message: '$property must not be blank nor contain control characters' })
  reason!: string;
}

/** One corrected item: the ERP's recomputed values (gross = net + tax, rate a fraction). */
export class CorrectedItemDto {
  @IsString()
  @Length(1, 64)
  order_item_id!: string;

  @IsDecimalString('16.81')
  gross_amount!: string;

  @IsDecimalString('14.13')
  net_amount!: string;

  @IsDecimalString('2.68')
  tax_amount!: string;

  @IsDecimalString('0.19')
  tax_rate!: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(CODE_TEXT, CODE_TEXT_MESSAGE)
  tax_code?: string;
}

/** `POST /v1/orders/{orderId}/line-item-corrections`. */
export class CorrectLineItemsDto {
  @IsString()
  @Length(1, 500)
  @Matches(TEXT, { message: '$property must not be blank nor contain control characters' })
  reason!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => CorrectedItemDto)
  items!: CorrectedItemDto[];
}
