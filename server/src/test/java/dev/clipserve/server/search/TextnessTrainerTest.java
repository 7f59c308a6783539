package dev.clipserve.server.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TextnessTrainerTest {
  private static final int DIM = 24;

  /** Unit vectors: a shared component, noise, and +/- 0.3 along a hidden "text" direction. */
  private static void toySet(Random rnd, int n, List<float[]> xs, List<Boolean> ys, float[] direction) {
    for (int i = 0; i < n; i++) {
      boolean text = i % 2 == 0;
      float[] v = new float[DIM];
      for (int d = 0; d < DIM; d++) {
        v[d] = (float) (0.15 * rnd.nextGaussian()) + (d == 0 ? 0.8f : 0f);
        v[d] += (text ? 0.3f : -0.3f) * direction[d];
      }
      xs.add(VectorMath.normalized(v));
      ys.add(text);
    }
  }

  private static float[] hiddenDirection() {
    float[] dir = new float[DIM];
    dir[3] = 1;
    dir[7] = -1;
    return VectorMath.normalized(dir);
  }

  @Test
  void separatesAToySetAndRecoversItsDirection() {
    List<float[]> xs = new ArrayList<>();
    List<Boolean> ys = new ArrayList<>();
    float[] dir = hiddenDirection();
    toySet(new Random(1), 400, xs, ys, dir);
    TextnessTrainer.Fit fit = new TextnessTrainer(TextnessTrainer.Options.defaults()).fit(xs, ys);
    assertEquals(320, fit.trainCount());
    assertEquals(80, fit.valCount());
    assertTrue(fit.trainAccuracy() > 0.95, "train accuracy " + fit.trainAccuracy());
    assertTrue(fit.valAccuracy() > 0.95, "validation accuracy " + fit.valAccuracy());
    double cos = VectorMath.dot(VectorMath.normalized(fit.weight()), dir);
    assertTrue(cos > 0.8, "cosine with the hidden direction " + cos);
  }

  @Test
  void isDeterministicForASeed() {
    List<float[]> xs = new ArrayList<>();
    List<Boolean> ys = new ArrayList<>();
    toySet(new Random(2), 60, xs, ys, hiddenDirection());
    TextnessTrainer trainer = new TextnessTrainer(new TextnessTrainer.Options(50, 1.0, 1e-4, 0.25, 7));
    assertEquals(trainer.fit(xs, ys).weight()[3], trainer.fit(xs, ys).weight()[3]);
  }

  @Test
  void refusesASingleClassAndBadVectors() {
    TextnessTrainer trainer = new TextnessTrainer(TextnessTrainer.Options.defaults());
    assertThrows(IllegalArgumentException.class,
        () -> trainer.fit(List.of(new float[] {1, 0}, new float[] {0, 1}), List.of(true, true)));
    var e = assertThrows(IllegalArgumentException.class,
        () -> trainer.fit(List.of(new float[] {1, 0}, new float[] {Float.NaN, 1}), List.of(true, false)));
    assertTrue(e.getMessage().startsWith("examples[1]"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> trainer.fit(List.of(new float[] {1, 0}, new float[] {1}), List.of(true, false)));
  }
}
