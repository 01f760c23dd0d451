/**
 * The order directory: which order stream a reference names (DESIGN §4, §9 linking).
 *
 * ERP documents name their order by Scayle order id, `referenceKey` or `publicKey`; PSP lines by
 * order id or payment reference (`payment[].transactionKey`). Order streams are keyed
 * `order-<shopKey>-<countryCode>-<orderId>`, so these references must be resolved to a stream.
 *
 * The directory is a **cache of the log**: it is fed by the ingest path right after an order fact
 * is appended (read-your-writes) and by a catch-up subscription to `$all` (facts written by other
 * processes); deleting it and replaying the log rebuilds it exactly (`OrderDirectoryIndexer`).
 * It also remembers **pending links**: streams (`erp-unlinked-*`, `settlement-*`) holding facts
 * that name a reference no order had yet.
 */

/** Where an order lives. */
export interface OrderLocation {
  streamId: string;
  shopKey: string;
  countryCode: string;
  orderId: string;
}

/** What a reference is. */
export type OrderReferenceKind = 'orderId' | 'referenceKey' | 'publicKey' | 'paymentReference';

/** An order with every reference it is known by. */
export interface OrderDirectoryEntry extends OrderLocation {
  referenceKey?: string;
  publicKey?: string;
  paymentReferences?: string[];
}

/** A stream holding facts that wait for the order a reference names. */
export interface PendingLink {
  reference: string;
  /** Stream to re-read when the order appears (`erp-unlinked-…`, `settlement-…`). */
  sourceStreamId: string;
}

export interface OrderDirectory {
  /** Records an order and its references; idempotent. Answers whether anything new was learnt. */
  record(entry: OrderDirectoryEntry): Promise<boolean>;
  /**
   * Resolves a reference of one of `kinds` (tried in the given order). A `referenceKey`, `publicKey`
   * or payment reference that names several orders (publicKeys need not be unique) resolves to none.
   * An order id several streams claim — Scayle order ids are unique per tenant (DESIGN §7), so only
   * streams logged before the mappers checked shop keys and country codes (`order-ms/de-DE-901`
   * beside `order-msde-DE-901`) or two shops' orders sharing an id can — resolves to one of them,
   * always the same: the streams whose shop key, country code and order id are valid Scayle values
   * first, then the one whose first event is earliest in the log. Reads by order id keep answering
   * and redeliveries keep landing where the first delivery did (the log stays as it is).
   */
  resolve(reference: string, kinds: readonly OrderReferenceKind[]): Promise<OrderLocation | undefined>;
  /** Remembers a pending link; idempotent. */
  addPending(link: PendingLink): Promise<void>;
  /** Pending links naming any of `references`. */
  pendingFor(references: readonly string[]): Promise<PendingLink[]>;
  /** Forgets a pending link once its facts are in the order stream. */
  resolvePending(link: PendingLink): Promise<void>;
  /** Log position the directory has indexed up to (its catch-up checkpoint). */
  checkpoint(): Promise<bigint>;
  /** Stores the catch-up checkpoint. */
  saveCheckpoint(position: bigint): Promise<void>;
}
