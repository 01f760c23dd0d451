/**
 * Given / when / then for deciders (HOUSE-STYLE "Tests"):
 *
 * ```ts
 * const spec = deciderSpec(orderDecider);
 * spec.given(events).when(command).then(expectedEvents);
 * spec.given(events).when(command).thenThrows({ kind: 'business_rule', code: 'refund_exceeds_item', field: 'refund_items[0].amount' });
 * ```
 */
import { expect } from 'chai';
import type { Decider } from '../../src/domain/shared/decider';
import { DomainError, type DomainErrorKind } from '../../src/domain/shared/errors';

export interface ExpectedError {
  kind: DomainErrorKind;
  code: string;
  field?: string;
}

export function deciderSpec<Command, State, Event, Recorded>(decider: Decider<Command, State, Event, Recorded>) {
  return {
    given(events: readonly Recorded[]) {
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        when(command: Command) {
          const run = (): Event[] => decider.decide(command, state);
          return {
            /** Asserts the emitted events (deep equality, order matters). */
            then(expected: readonly Event[]): void {
              expect(run()).to.deep.equal(expected);
            },
            /** Asserts a typed DomainError with this kind, code and (when given) field. */
            thenThrows(expected: ExpectedError): DomainError {
              let caught: unknown;
              try {
                run();
              } catch (e) {
                caught = e;
              }
              expect(caught, 'expected a DomainError').to.be.instanceOf(DomainError);
              const err = caught as DomainError;
              const actual: ExpectedError = { kind: err.kind, code: err.code };
              if (expected.field !== undefined) actual.field = err.field as string;
              expect(actual).to.deep.equal(expected);
              return err;
            },
          };
        },
      };
    },
  };
}
