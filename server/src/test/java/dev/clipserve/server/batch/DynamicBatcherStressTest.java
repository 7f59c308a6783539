package dev.clipserve.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Many producer threads against real dispatch and executor threads (no sleeps). */
class DynamicBatcherStressTest {

  private static final int PRODUCERS = 16;
  private static final int CALLS_PER_PRODUCER = 400;
  private static final int MAX_QUEUE = 64;

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void manyProducersLoseAndDuplicateNothingAndQueueStaysBounded() throws Exception {
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    LongAdder duplicates = new LongAdder();
    AtomicLong maxBatch = new AtomicLong();
    BatchRunner<Long, Long> runner =
        items -> {
          maxBatch.accumulateAndGet(items.size(), Math::max);
          List<Long> out = new ArrayList<>(items.size());
          for (long id : items) {
            if (!seen.add(id)) {
              duplicates.increment();
            }
            out.add(id * 31 + 7);
          }
          return out;
        };
    BatchPolicy policy =
        new BatchPolicy(8, List.of(4), Duration.ofMillis(1), MAX_QUEUE, Duration.ZERO);
    var batcher =
        DynamicBatcher.start(
            "stress", policy, List.of(runner, runner, runner), NanoClock.SYSTEM,
            BatcherMetrics.NOOP);

    AtomicLong nextId = new AtomicLong();
    AtomicLong expectedChecksum = new AtomicLong();
    AtomicLong answeredChecksum = new AtomicLong();
    LongAdder rejectedCalls = new LongAdder();
    LongAdder answeredItems = new LongAdder();
    LongAdder acceptedItems = new LongAdder();
    CountDownLatch done = new CountDownLatch(PRODUCERS);
    List<Throwable> unexpected = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int p = 0; p < PRODUCERS; p++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  List<CompletableFuture<?>> mine = new ArrayList<>();
                  for (int c = 0; c < CALLS_PER_PRODUCER; c++) {
                    int n = 1 + ThreadLocalRandom.current().nextInt(5);
                    List<Long> ids = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                      ids.add(nextId.getAndIncrement());
                    }
                    CompletableFuture<List<Long>> f = batcher.submit(ids);
                    mine.add(
                        f.handle(
                            (result, error) -> {
                              if (error instanceof RejectedException) {
                                rejectedCalls.increment();
                                return null;
                              }
                              if (error != null) {
                                unexpected.add(error);
                                return null;
                              }
                              acceptedItems.add(ids.size());
                              for (int i = 0; i < ids.size(); i++) {
                                long id = ids.get(i);
                                expectedChecksum.addAndGet(id * 31 + 7);
                                answeredChecksum.addAndGet(result.get(i));
                                answeredItems.increment();
                                if (result.get(i) != id * 31 + 7) {
                                  unexpected.add(new AssertionError("item " + id + " out of order"));
                                }
                              }
                              return null;
                            }));
                    if (mine.size() >= 4) { // a few calls in flight per producer
                      mine.remove(0).join();
                    }
                  }
                  mine.forEach(CompletableFuture::join);
                } finally {
                  done.countDown();
                }
              });
      t.start();
    }
    assertTrue(done.await(50, TimeUnit.SECONDS));
    batcher.shutdown();
    assertTrue(batcher.awaitTermination(Duration.ofSeconds(5)));

    assertTrue(unexpected.isEmpty(), () -> "unexpected: " + unexpected);
    assertEquals(0, duplicates.sum(), "no item ran twice");
    assertEquals(acceptedItems.sum(), seen.size(), "every accepted item ran once, none lost");
    assertEquals(expectedChecksum.get(), answeredChecksum.get());
    assertEquals(acceptedItems.sum(), answeredItems.sum());
    assertTrue(batcher.peakQueuedItems() <= MAX_QUEUE, "peak " + batcher.peakQueuedItems());
    assertTrue(maxBatch.get() <= 8);
    assertTrue(acceptedItems.sum() > 0);
  }
}
