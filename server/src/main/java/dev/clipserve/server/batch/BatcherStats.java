package dev.clipserve.server.batch;

/**
 * Cumulative statistics of one model's batcher since start.
 *
 * @param batchSize items per batch sent
 * @param queueWaitMicros per item, arrival to send, microseconds
 * @param inferenceMicros per batch, runner call, microseconds
 * @param endToEndMicros per successful call, submit to answer, microseconds
 * @param rejectedItems items refused because the queue was full
 * @param expiredItems queued items dropped at their deadline
 * @param cancelledItems queued items removed because their call was cancelled
 */
public record BatcherStats(
    Distribution batchSize,
    Distribution queueWaitMicros,
    Distribution inferenceMicros,
    Distribution endToEndMicros,
    long rejectedItems,
    long expiredItems,
    long cancelledItems) {

  /** Stats with nothing recorded. */
  public static final BatcherStats EMPTY =
      new BatcherStats(
          Distribution.EMPTY, Distribution.EMPTY, Distribution.EMPTY, Distribution.EMPTY, 0, 0, 0);

  /**
   * A summary of recorded values (unit given by the field that holds it).
   *
   * @param count values recorded
   * @param sum sum of the values
   * @param mean arithmetic mean (0 when empty)
   */
  public record Distribution(
      long count, double sum, double mean, long p50, long p90, long p99, long max) {
    public static final Distribution EMPTY = new Distribution(0, 0, 0, 0, 0, 0, 0);
  }
}
