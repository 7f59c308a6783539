package dev.clipserve.server.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextnessStoreTest {
  @TempDir Path tmp;

  @Test
  void loadsTheShippedVectorAndNormalizesIt() throws Exception {
    Path shipped = Files.createDirectories(tmp.resolve("models/textness"));
    Files.writeString(shipped.resolve("demo-clip.json"), """
        {"embedding_space": "demo-clip", "version": 1, "vector": [3.0, 4.0], "norm": 5.0,
         "raw_norm": 5.0, "trained_on": "teacher"}""");
    Files.writeString(shipped.resolve("demo-clip.student.json"),
        "{\"embedding_space\": \"demo-clip\", \"version\": 1, \"vector\": [0.0, 1.0]}");
    TextnessStore store = new TextnessStore(shipped, tmp.resolve("data/textness"));
    TextnessVector v = store.current("demo-clip").orElseThrow();
    assertEquals(1, v.version());
    assertEquals(0.6f, v.unitVector()[0], 1e-6);
    assertEquals(5.0, v.rawNorm(), 1e-9);
    assertEquals("teacher", v.trainedOn());
    assertTrue(store.current("other").isEmpty());
  }

  @Test
  void publishStoresTheNextVersionDurablyAndItWinsAfterRestart() throws Exception {
    Path shipped = Files.createDirectories(tmp.resolve("shipped"));
    Files.writeString(shipped.resolve("s.json"),
        "{\"embedding_space\": \"s\", \"version\": 1, \"vector\": [1.0, 0.0]}");
    Path data = tmp.resolve("data");
    TextnessStore store = new TextnessStore(shipped, data);
    TextnessVector v2 = store.publish("s", new float[] {0f, 2f}, "teacher", 0.9, 0.8);
    assertEquals(2, v2.version());
    assertEquals(2.0, v2.rawNorm(), 1e-9);
    assertEquals(1.0f, store.current("s").orElseThrow().unitVector()[1], 1e-6);
    assertTrue(Files.exists(data.resolve("s.v2.json")));
    try (var files = Files.list(data)) {
      assertFalse(files.anyMatch(p -> p.toString().endsWith(".tmp")));
    }

    TextnessStore reopened = new TextnessStore(shipped, data);
    TextnessVector again = reopened.current("s").orElseThrow();
    assertEquals(2, again.version());
    assertEquals(0.8, again.valAccuracy(), 1e-9);
    assertEquals(3, reopened.publish("s", new float[] {1f, 1f}, "teacher", null, null).version());
  }

  @Test
  void refusesAnotherFormatVersion() throws Exception {
    Path shipped = Files.createDirectories(tmp.resolve("shipped"));
    Files.writeString(shipped.resolve("s.json"), "{\"embedding_space\": \"s\", \"version\": 2, \"vector\": [1.0]}");
    var e = assertThrows(IllegalArgumentException.class, () -> new TextnessStore(shipped, tmp.resolve("d")));
    assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
  }

  @Test
  void namesTheFileOfAnInvalidVector() throws Exception {
    Path shipped = Files.createDirectories(tmp.resolve("shipped"));
    Files.writeString(shipped.resolve("bad.json"), "{\"embedding_space\": \"s\", \"version\": 1}");
    var e = assertThrows(IllegalArgumentException.class, () -> new TextnessStore(shipped, tmp.resolve("d")));
    assertTrue(e.getMessage().contains("bad.json"), e.getMessage());
  }
}
