/**
 * Version of the reconciliation rules (DESIGN §6–§7). A close snapshot records it, and an audit
 * replay recomputes with the rules of this code base: a replay under other rules is reported, not
 * silently compared. Bump it whenever a change to `src/domain/order/**` (classification, totals,
 * period assignment) can change what an order reconciles to; keep it unchanged for refactorings.
 */
export const RULES_VERSION = 'reconcile/2025.7';

/*
 * History (what each bump changed in the output):
 * - 2025.2: amounts the ingestion quantised (ERP facts' `quantisedAmounts`, schema version 2) are
 *   reported as `DATA_QUALITY_WARNING`s; before, they were stored and never reported.
 * - 2025.3: per-order `SETTLEMENT_DRIFT` waits for the settlement grace window while unsettled
 *   payments explain it, and compares with Scayle's billed sale when Scayle reported no capture
 *   (not the ERP's invoices); a cancellation Scayle refunded keeps its credit memo on the refund
 *   side; a variant credit line credits units cancelled after invoicing before returned ones; a fee
 *   at a rate no item has counts as blended only between two item rates (tax-code check).
 * - 2025.4: a blended fee rate may lie outside the item rates by what rounding its parts to the
 *   minor unit explains (0.32 / 1.68 = 0.1905 on a 19 %/7 % basket), so such a fee booked split by
 *   the item rates is no `TAX_MAPPING_ERROR`.
 * - 2025.5: the close snapshot (and audit replay, as-of queue) folds the human exception decisions
 *   recorded up to the cut (`ExceptionFold`, as the live queue does): an exception resolved or
 *   written off at the cut is no open exception and blocks no close; an acknowledged or assigned one
 *   carries that status and its `assignee`; one opened again (reopened, or its finding came back
 *   after the decision) is aged from then. Before, every non-auto-accepted finding was `open`.
 * - 2025.6: PSP settlement batches are checked in the service (live views, close snapshots, audit
 *   replays), not only by the evaluate harness: a payout that its lines' gross − itemised fees do not
 *   explain is a batch `SETTLEMENT_DRIFT` (counted in the payout date's period), and the payout is
 *   compared with Σ (gross − fee), no longer with the lines' stated net.
 * - 2025.7: a stream the replay cannot fold or evaluate (a stored time that is no instant, a date
 *   outside the years 0001–9999) no longer fails the close, audit replay or as-of queue as a whole:
 *   its figures are left out, `counts.unreadableStreams` (new in the snapshot) counts it and an open
 *   operations `SYNC_FAILURE` (`<stream>/SYNC_FAILURE/<order|settlement>/unreadable`) names the event,
 *   in the period of the stream's first ledger time. Periods are only years 0001–9999: an instant
 *   whose local date is the year 10000 or before the year 1, or a posting/payout date in the year
 *   0000, makes its stream unreadable (before, it counted in a period such as `10000-0` or `1-01-01`
 *   that no route reads), and a year before 1000 is written with four digits (was `999-06`). A
 *   settlement batch whose payout date has no period is reported the same way (before, left out of
 *   every snapshot without a word).
 */
