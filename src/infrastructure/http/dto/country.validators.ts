import { registerDecorator } from 'class-validator';
import { isCountryCode } from '../../../application/ingest/scayle/scayle-order-keys';

/**
 * class-validator: a shop country as the Scayle mappers take it ({@link isCountryCode}: an assigned
 * ISO 3166-1 alpha-2 code in upper case, or `XK`), so a mapping can never name a country no order
 * stream can have. The message names the value it got.
 */
export function IsCountryCode(): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isCountryCode',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: (a) => `must be an assigned ISO 3166-1 alpha-2 country code in upper case such as "DE" (or XK), got ${JSON.stringify(a.value) ?? String(a.value)}` },
      validator: { validate: (value: unknown) => isCountryCode(value) },
    });
}
