/**
 * Version of the reconciliation rules (DESIGN §6–§7). A close snapshot records it, and an audit
 * replay recomputes with the rules of this code base: a replay under other rules is reported, not
 * silently compared. Bump it whenever a change to `src/domain/order/**` (classification, totals,
 * period assignment) can change what an order reconciles to; keep it unchanged for refactorings.
 */
export const RULES_VERSION = 'reconcile/2025.2';

/*
 * History (what each bump changed in the output):
 * - 2025.2: amounts the ingestion quantised (ERP facts' `quantisedAmounts`, schema version 2) are
 *   reported as `DATA_QUALITY_WARNING`s; before, they were stored and never reported.
 */
