import { registerDecorator, ValidationArguments } from 'class-validator';

const DECIMAL = /^-?\d+(\.\d+)?$/;
const UNSIGNED = /^\d+(\.\d+)?$/;

/**
 * A decimal string (`"19.99"`, `"0.19"`): never a JSON number, which would lose precision and hide
 * the scale. A number gets the message `must be a decimal string such as "19.99", not a JSON
 * number`; the currency's scale is checked by the handler with `Money.parse`.
 */
export function IsDecimalString(example: string, options: { signed?: boolean } = {}) {
  return (object: object, propertyName: string): void => {
    registerDecorator({
      name: 'isDecimalString',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && (options.signed ? DECIMAL : UNSIGNED).test(value),
        defaultMessage: (args?: ValidationArguments) =>
          typeof args?.value === 'number'
            ? `must be a decimal string such as "${example}", not a JSON number`
            : `must be a ${options.signed ? '' : 'non-negative '}decimal string such as "${example}"`,
      },
    });
  };
}
