package dev.clipserve.loadtest.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccuracyTest {
  @TempDir Path dir;

  private static EvalItem item(String klass, boolean text) {
    return new EvalItem(klass + text, Path.of("x.png"), klass, text, text ? "cat" : null);
  }

  @Test
  void zeroShotCountsNearestClassAndSkipsUnlabeledImages() {
    float[][] classes = {{1, 0}, {0, 1}};
    float[][] images = {{0.9f, 0.1f}, {0.2f, 0.8f}, {0.7f, 0.3f}, {0, 1}};
    List<EvalItem> items = List.of(item("cat", false), item("fish", false), item("fish", false),
        item(null, true));
    assertEquals(2.0 / 3, Accuracy.zeroShotTop1(images, items, List.of("cat", "fish"), classes),
        1e-12);
  }

  @Test
  void recallOverlapIsTheSharedFractionOfTopK() {
    float[][] q = {{1, 0}};
    float[][] ref = {{1, 0}, {0.9f, 0.1f}, {0, 1}, {0.5f, 0.5f}};
    float[][] cand = {{1, 0}, {0, 1}, {0.9f, 0.1f}, {0.1f, 0.9f}};
    // ref top-2 {0, 1}; candidate top-2 {0, 2}: overlap 1 of 2.
    assertEquals(0.5, Accuracy.recallAtKOverlap(q, ref, cand, 2), 1e-12);
    assertEquals(1.0, Accuracy.recallAtKOverlap(q, ref, ref, 2), 1e-12);
  }

  @Test
  void meanCosineOfIdenticalUnitVectorsIsOne() {
    float[][] a = {{1, 0}, {0, 1}};
    assertEquals(1.0, Accuracy.meanCosine(a, a), 1e-12);
    assertEquals(0.5, Accuracy.meanCosine(a, new float[][] {{1, 0}, {1, 0}}), 1e-12);
  }

  @Test
  void positiveTextnessScaleRanksImagesWithTextFirst() {
    float[] query = {1, 0, 0};
    float[] bias = {0, 0, 1};
    float[][] images = {{1, 0, 0}, {0.6f, 0, 0.8f}};
    List<EvalItem> items = List.of(item("cat", false), item(null, true));
    List<TextnessGrid.Row> rows =
        TextnessGrid.rank(query, bias, images, items, List.of(-2.0, 2.0), 1, "cat");
    assertEquals(List.of(0), rows.get(0).top());
    assertEquals(1.0, rows.get(0).showsClassFraction());
    assertEquals(List.of(1), rows.get(1).top());
    assertEquals(1.0, rows.get(1).withTextFraction());
  }

  @Test
  void readsTextnessVectorFromNpyJsonAndRawFloats() throws Exception {
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    int pad = 64 - (10 + header.length() + 1) % 64;
    header = header + " ".repeat(pad) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 24).order(ByteOrder.LITTLE_ENDIAN);
    b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
    b.putShort((short) header.length());
    b.put(header.getBytes(StandardCharsets.ISO_8859_1));
    for (float f : new float[] {9, 9, 9, 1, 2, 3}) {
      b.putFloat(f);
    }
    Files.write(dir.resolve("b.npy"), b.array());
    assertArrayEquals(new float[] {1, 2, 3}, TextnessVector.load(dir.resolve("b.npy")));
    Files.writeString(dir.resolve("b.json"), "{\"bias\": [1, 2.5]}");
    assertArrayEquals(new float[] {1, 2.5f}, TextnessVector.load(dir.resolve("b.json")));
    ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(4)
        .putFloat(5);
    Files.write(dir.resolve("b.bin"), raw.array());
    assertArrayEquals(new float[] {4, 5}, TextnessVector.load(dir.resolve("b.bin")));
  }

  @Test
  void loadsJsonlLabelsAsDistillWritesThem() throws Exception {
    Files.writeString(dir.resolve("labels.jsonl"),
        "{\"file\": \"a.png\", \"id\": \"test-0\", \"class\": \"cat\", \"has_text\": false,"
            + " \"text\": null}\n"
            + "{\"file\": \"b.png\", \"id\": \"test-1\", \"class\": null, \"has_text\": true,"
            + " \"text\": \"gat\"}\n");
    EvalSet s = EvalSet.load(dir, null, 0);
    assertEquals(2, s.items().size());
    assertEquals(List.of("cat"), s.classes());
    assertEquals("gat", s.items().get(1).text());
    assertEquals(dir.resolve("b.png"), s.items().get(1).file());
  }

  @Test
  void classPromptsMatchTheDemoTraining() {
    assertEquals(List.of("a drawing of an apple", "a picture of an apple", "an apple"),
        AccuracyEvaluator.prompts("apple"));
  }
}
