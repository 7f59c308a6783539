package dev.clipserve.server.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Returns {@code "out:" + input} per item and records every batch it ran. */
final class RecordingRunner implements BatchRunner<String, String> {
  final List<List<String>> batches = new CopyOnWriteArrayList<>();

  @Override
  public List<String> run(List<String> items) {
    batches.add(List.copyOf(items));
    List<String> out = new ArrayList<>(items.size());
    for (String item : items) {
      out.add("out:" + item);
    }
    return out;
  }

  List<Integer> sizes() {
    return batches.stream().map(List::size).toList();
  }
}
