import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { CODE_TEXT, CODE_TEXT_MESSAGE } from '../dto/calendar.validators';
import { IsCountryCode } from '../dto/country.validators';
import { IsDecimalString } from '../dto/decimal.validators';

/** One tax-code mapping: shop country + VAT rate (fraction) → ERP tax code. */
export class TaxCodeMappingDto {
  @IsCountryCode()
  country_code!: string;

  @IsDecimalString('0.19')
  rate!: string;

  @IsString()
  @Length(1, 64)
  @Matches(CODE_TEXT, CODE_TEXT_MESSAGE)
  tax_code!: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  channel_type?: string;
}

/** `PUT /v1/mappings/tax-codes`: the whole new set. */
export class PutTaxCodeMappingsDto {
  @IsArray()
  @ArrayMaxSize(5000)
  @ValidateNested({ each: true })
  @Type(() => TaxCodeMappingDto)
  entries!: TaxCodeMappingDto[];
}

/** One item mapping: Scayle variant `referenceKey` → ERP item number. */
export class ItemMappingDto {
  @IsString()
  @Length(1, 128)
  @Matches(CODE_TEXT, CODE_TEXT_MESSAGE)
  variant_reference_key!: string;

  @IsString()
  @Length(1, 128)
  @Matches(CODE_TEXT, CODE_TEXT_MESSAGE)
  erp_item_number!: string;
}

/** `PUT /v1/mappings/items`: the whole new set. */
export class PutItemMappingsDto {
  @IsArray()
  @ArrayMaxSize(100_000)
  @ValidateNested({ each: true })
  @Type(() => ItemMappingDto)
  entries!: ItemMappingDto[];
}
