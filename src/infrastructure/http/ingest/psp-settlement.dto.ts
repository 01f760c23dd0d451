import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, Matches, ValidateNested } from 'class-validator';
import type { PspLineType, PspSettlementLine } from '../../../domain/settlement/psp-settlement-line';
import { IsCurrencyCode, IsDecimalString } from './erp-document.dto';
import { IsPeriodDate, IsSourceInstant, sourceIdPattern } from '../dto/calendar.validators';

const ID = sourceIdPattern(100);
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

export class PspSettlementLineDto implements PspSettlementLine {
  @Matches(ID, { message: 'lineId must be 1–100 characters without whitespace' }) lineId!: string;
  @IsIn(['capture', 'refund', 'chargeback', 'fee', 'adjustment']) type!: PspLineType;
  @Matches(ID, { message: 'paymentReference must be 1–100 characters without whitespace' }) paymentReference!: string;
  @IsOptional() @Matches(ID, { message: 'orderId must be 1–100 characters without whitespace' }) orderId?: string;
  @IsDecimalString() gross!: string;
  @IsDecimalString() fee!: string;
  @IsDecimalString() net!: string;
  @IsCurrencyCode() currency!: string;
  @IsSourceInstant() bookedAt!: string;
  @IsOptional() @IsDecimalString() @Matches(/^\d/, { message: 'fxRate must be positive' }) fxRate?: string;
  @IsOptional() @IsCurrencyCode() settlementCurrency?: string;
}

/** A settlement batch (payout) as JSON (`POST /v1/ingest/psp/settlements`). */
export class PspSettlementBatchDto {
  @Matches(/^[A-Za-z0-9_.]{1,50}$/, { message: 'provider must be 1–50 letters, digits, _ or .' }) provider!: string;
  @Matches(ID, { message: 'batchId must be 1–100 characters without whitespace' }) batchId!: string;
  @IsCurrencyCode() currency!: string;
  @Matches(DATE, { message: 'payoutDate must be a date YYYY-MM-DD' }) @IsPeriodDate('payoutDate must be a date that exists, in the years 0001–9999') payoutDate!: string;
  @IsDecimalString() payoutAmount!: string;
  @IsArray() @ArrayMaxSize(100_000) @ValidateNested({ each: true }) @Type(() => PspSettlementLineDto) lines!: PspSettlementLineDto[];
}

export const PSP_CSV_LINE_COLUMNS = ['lineId', 'type', 'paymentReference', 'orderId', 'gross', 'fee', 'net', 'currency', 'bookedAt', 'fxRate', 'settlementCurrency'] as const;
export const PSP_CSV_BATCH_COLUMNS = ['provider', 'batchId', 'batchCurrency', 'payoutDate', 'payoutAmount'] as const;
