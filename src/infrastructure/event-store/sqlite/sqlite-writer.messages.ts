/** What the event log's writer thread opens (`workerData`; its messages are those of `RequestThread`). */
export interface LogWriterData {
  filename: string;
  /** `synchronous` pragma of the writing connection (see SqliteEventStoreOptions.synchronous). */
  synchronous: 'FULL' | 'NORMAL';
  walAutocheckpointPages?: number | undefined;
}
