import type { OverriddenException } from '../../domain/period/period.events';
import { ACTIVE_STATUSES } from '../../domain/exception/exception.decide';
import type { OpenExceptionsReader } from '../ports/period-close.port';
import type { ReadModelStore } from '../ports/read-model-store.port';

/** The period close's view of the live exception queue: active exceptions of a period and codes. */
export class LiveExceptionsReader implements OpenExceptionsReader {
  constructor(private readonly store: ReadModelStore) {}

  async openOfCodes(period: string, codes: readonly string[]): Promise<OverriddenException[]> {
    const out: OverriddenException[] = [];
    const wanted = new Set(codes);
    let after: string | undefined;
    do {
      const page = await this.store.find<{ code: string; subject: string; orderId?: string | null; status: string }>('exceptions', {
        filter: { period },
        limit: 1000,
        ...(after ? { after } : {}),
      });
      for (const e of page.items) {
        if (!wanted.has(e.doc.code) || !(ACTIVE_STATUSES as readonly string[]).includes(e.doc.status)) continue;
        out.push({ exceptionId: e._id, code: e.doc.code, subject: e.doc.subject, ...(e.doc.orderId ? { orderId: e.doc.orderId } : {}) });
      }
      after = page.next;
    } while (after);
    return out;
  }
}
