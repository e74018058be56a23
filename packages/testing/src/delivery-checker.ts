/** Counts for one direction of a reliable stream. */
export interface DirectionReport {
  sent: number;
  /** Messages the sender saw acknowledged. */
  acknowledged: number;
  /** Distinct messages the receiver handed to the application. */
  delivered: number;
  /** Acknowledged but never delivered: the one number that must be 0. */
  lost: number;
  /** Delivered more than once. */
  duplicated: number;
  /** Delivered after a later message. */
  outOfOrder: number;
  /** Sent, neither acknowledged nor delivered yet (in flight when the test stopped). */
  pending: number;
}

/**
 * A Jepsen-style checker for a reliable stream: the test records, per direction, what the sender
 * sent and saw acknowledged and what the receiver delivered; `report` counts lost, duplicated and
 * out-of-order messages. Message ids are the sender's own numbering (1, 2, 3, ...), independent of
 * protocol sequences, so the checker does not trust the code under test.
 */
export class DeliveryChecker {
  private readonly sent = new Set<number>();
  private readonly acked = new Set<number>();
  private readonly deliveredOrder: number[] = [];

  recordSent(id: number): void {
    this.sent.add(id);
  }

  recordAcknowledged(id: number): void {
    this.acked.add(id);
  }

  recordDelivered(id: number): void {
    this.deliveredOrder.push(id);
  }

  report(): DirectionReport {
    const seen = new Set<number>();
    let duplicated = 0;
    let outOfOrder = 0;
    let highest = 0;
    for (const id of this.deliveredOrder) {
      if (seen.has(id)) {
        duplicated++;
        continue;
      }
      seen.add(id);
      if (id < highest) outOfOrder++;
      highest = Math.max(highest, id);
    }
    let lost = 0;
    for (const id of this.acked) if (!seen.has(id)) lost++;
    let pending = 0;
    for (const id of this.sent) if (!seen.has(id) && !this.acked.has(id)) pending++;
    return { sent: this.sent.size, acknowledged: this.acked.size, delivered: seen.size, lost, duplicated, outOfOrder, pending };
  }
}
