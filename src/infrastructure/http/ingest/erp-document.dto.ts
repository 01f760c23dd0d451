import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import type { ErpDocumentLine, ErpDocumentStatus, ErpDocumentType, ErpLineKind } from '../../../domain/erp/erp-document';
import { isCurrencyCode } from '../../../domain/shared/currency';
import { isDecimalString } from '../../../domain/shared/decimal';
import { IsPeriodDate, sourceIdPattern } from '../dto/calendar.validators';
import { Nullable } from '../dto/nullable.validators';

/** A decimal string (`"19.90"`); a JSON number is refused: "must be a decimal string". */
export function IsDecimalString(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isDecimalString',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: (a) => `${a.property} must be a decimal string such as "19.90"${typeof a.value === 'number' ? ', not a JSON number' : ''}`, ...options },
      validator: { validate: (value: unknown) => isDecimalString(value) },
    });
}

/** An ISO 4217 code that exists. */
export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCurrencyCode',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: (a) => `${a.property} must be an ISO 4217 currency code, got ${JSON.stringify(a.value)}`, ...options },
      validator: { validate: (value: unknown) => isCurrencyCode(value) },
    });
}

const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const NO_SPACE_ID = sourceIdPattern(100);
const RATE = /^(0(\.\d+)?|1(\.0+)?)$/;

export class ErpAmountsDto {
  @IsDecimalString() net!: string;
  @IsDecimalString() tax!: string;
  @IsDecimalString() gross!: string;
}

export class ErpDocumentLineDto extends ErpAmountsDto implements ErpDocumentLine {
  @IsInt() @Min(0) lineNumber!: number;
  @IsIn(['item', 'shipping', 'fee', 'discount']) kind!: ErpLineKind;
  @IsOptional() @IsArray() @IsString({ each: true }) @ArrayMaxSize(10_000) orderItemIds?: string[];
  @IsOptional() @IsString() variantReferenceKey?: string;
  @IsOptional() @IsString() erpItemNumber?: string;
  @Matches(/^-?\d+$/, { message: 'quantity must be a whole number of units as a string ("3")' })
  @Matches(/^(?!-)/, { message: 'quantity must not be negative' })
  quantity!: string;
  @IsOptional() @Nullable() @IsString() taxCode?: string | null;
  @IsOptional() @Matches(RATE, { message: 'taxRate must be a fraction between 0 and 1 as a decimal string ("0.19")' }) taxRate?: string;
  @IsOptional() @IsString() description?: string;
}

/** The canonical ERP document of DESIGN §9 (`src/domain/erp/erp-document.ts`). */
export class ErpDocumentDto {
  @IsIn(['invoice', 'credit_memo', 'sales_order', 'payment']) documentType!: ErpDocumentType;
  @Matches(NO_SPACE_ID, { message: 'documentNumber must be 1–100 characters without whitespace, control or invisible characters' }) documentNumber!: string;
  @IsInt() @Min(0) @Max(Number.MAX_SAFE_INTEGER) revision!: number;
  @IsIn(['open', 'posted', 'cancelled']) status!: ErpDocumentStatus;
  @Nullable() @Matches(NO_SPACE_ID, { message: 'orderReference must be a Scayle order id, referenceKey or publicKey, or null' }) orderReference!: string | null;
  @IsOptional() @IsString() appliesToDocumentNumber?: string;
  @Matches(DATE, { message: 'postingDate must be a date YYYY-MM-DD' }) @IsPeriodDate('postingDate must be a date that exists, in the years 0001–9999') postingDate!: string;
  @Matches(DATE, { message: 'documentDate must be a date YYYY-MM-DD' }) @IsPeriodDate('documentDate must be a date that exists, in the years 0001–9999') documentDate!: string;
  @IsCurrencyCode() currency!: string;
  @IsBoolean() pricesIncludeTax!: boolean;
  @ValidateNested() @Type(() => ErpAmountsDto) totals!: ErpAmountsDto;
  @IsArray() @ArrayMaxSize(10_000) @ValidateNested({ each: true }) @Type(() => ErpDocumentLineDto) lines!: ErpDocumentLineDto[];
  @IsOptional() @IsDecimalString() exchangeRate?: string;
}
