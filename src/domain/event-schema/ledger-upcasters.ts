/**
 * The upcasters of every event the ledger stores, in one registry: what the composition root's
 * event store applies on read (and the versions it stamps on append). A concept that changes an
 * event's shape adds its chain here (CONTRIBUTING "Changing an event shape").
 */
import { ORDER_UPCASTERS } from '../order/order.upcasters';
import { UpcasterRegistry } from './upcaster-registry';

export const LEDGER_UPCASTERS = new UpcasterRegistry({ ...ORDER_UPCASTERS });

/** The schema version writers write for `type`. */
export const schemaVersionOf = (type: string): number => LEDGER_UPCASTERS.latestVersion(type);
