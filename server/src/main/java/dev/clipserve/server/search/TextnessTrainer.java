package dev.clipserve.server.search;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Fits the textness probe: {@code Linear(dim, 2)} (two logits, softmax, no hidden layer) on image
 * embeddings labeled "has text" (1) or not (0), by full-batch gradient descent on the mean
 * cross-entropy plus {@code l2/2 * |W|^2} (weights only, not biases).
 *
 * <p>The textness vector is the positive-class weight row {@code W[1]}. Both rows start at zero and
 * receive opposite gradients (heavy-ball momentum 0.9 on both), so {@code W[1] = -W[0] = (W[1]-W[0])/2}: the direction that separates
 * the classes. Callers store it unit-normalized ({@link TextnessVector#fromRaw}), keeping the raw
 * norm for reference.
 *
 * <p>The split is deterministic: examples are shuffled with {@code seed} and the last {@code
 * valFraction} of them are held out (stratified per class, at least one of each class kept for
 * training). Pure computation: thread-safe, no I/O.
 */
public final class TextnessTrainer {

  /**
   * @param epochs full-batch gradient steps (default 400)
   * @param learningRate step size (default 1.0; embeddings are unit vectors, so the gradient's
   *     Lipschitz constant is at most 1 and momentum 0.9 keeps steps below 3.8 stable)
   * @param l2 weight decay (default 1e-4)
   * @param valFraction held-out fraction in [0, 0.9] (default 0.2)
   * @param seed shuffle seed (default 42)
   */
  public record Options(int epochs, double learningRate, double l2, double valFraction, long seed) {
    public Options {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be >= 1");
      }
      if (!(learningRate > 0) || !Double.isFinite(learningRate)) {
        throw new IllegalArgumentException("learningRate must be > 0");
      }
      if (!(l2 >= 0) || !Double.isFinite(l2)) {
        throw new IllegalArgumentException("l2 must be >= 0");
      }
      if (!(valFraction >= 0 && valFraction <= 0.9)) {
        throw new IllegalArgumentException("valFraction must be in [0, 0.9]");
      }
    }

    public static Options defaults() {
      return new Options(400, 1.0, 1e-4, 0.2, 42);
    }
  }

  /**
   * The fitted probe.
   *
   * @param weight the positive-class weight row {@code W[1]} (raw, not normalized)
   * @param bias {@code bias[1] - bias[0]}
   * @param trainAccuracy accuracy on the training split
   * @param valAccuracy accuracy on the validation split, NaN if it is empty
   * @param trainCount examples trained on
   * @param valCount examples held out
   */
  public record Fit(float[] weight, double bias, double trainAccuracy, double valAccuracy, int trainCount,
      int valCount) {}

  private static final double MOMENTUM = 0.9;

  private final Options options;

  public TextnessTrainer(Options options) {
    this.options = options;
  }

  /**
   * @param embeddings one vector per example, all of one dimension, finite
   * @param hasText the label of each example
   * @throws IllegalArgumentException if the sizes differ, a class is missing, or a vector is bad
   *     (message names the example index)
   */
  public Fit fit(List<float[]> embeddings, List<Boolean> hasText) {
    int n = embeddings.size();
    if (n != hasText.size()) {
      throw new IllegalArgumentException("examples: " + n + " embeddings but " + hasText.size() + " labels");
    }
    if (n == 0) {
      throw new IllegalArgumentException("examples: empty");
    }
    int dim = embeddings.get(0).length;
    List<Integer> pos = new ArrayList<>();
    List<Integer> neg = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] v = embeddings.get(i);
      if (v.length != dim) {
        throw new IllegalArgumentException("examples[" + i + "]: dimension " + v.length + ", expected " + dim);
      }
      for (float x : v) {
        if (!Float.isFinite(x)) {
          throw new IllegalArgumentException("examples[" + i + "]: contains NaN or infinity");
        }
      }
      (hasText.get(i) ? pos : neg).add(i);
    }
    if (pos.isEmpty() || neg.isEmpty()) {
      throw new IllegalArgumentException("examples: need at least one example with text and one without");
    }
    Random rnd = new Random(options.seed());
    Collections.shuffle(pos, rnd);
    Collections.shuffle(neg, rnd);
    List<Integer> train = new ArrayList<>();
    List<Integer> val = new ArrayList<>();
    split(pos, train, val);
    split(neg, train, val);

    double[] w = new double[dim]; // W[1]; W[0] = -W[1] throughout (see class doc)
    double b = 0; // bias[1] - bias[0]
    double[] grad = new double[dim];
    double[] vel = new double[dim];
    double velB = 0;
    int m = train.size();
    for (int epoch = 0; epoch < options.epochs(); epoch++) {
      java.util.Arrays.fill(grad, 0);
      double gb = 0;
      for (int idx : train) {
        float[] x = embeddings.get(idx);
        // p(text) = softmax([-w.x + b0, w.x + b1])[1] = sigmoid(2 w.x + b)
        double z = 2 * dot(w, x) + b;
        double p = 1 / (1 + Math.exp(-z));
        double err = p - (hasText.get(idx) ? 1 : 0);
        // d(loss)/d(W[1]) = err * x and d/d(W[0]) = -err * x; keeping W[0] = -W[1] moves W[1] by their mean.
        for (int d = 0; d < dim; d++) {
          grad[d] += err * x[d];
        }
        gb += err;
      }
      for (int d = 0; d < dim; d++) {
        vel[d] = MOMENTUM * vel[d] - options.learningRate() * (grad[d] / m + options.l2() * w[d]);
        w[d] += vel[d];
      }
      velB = MOMENTUM * velB - options.learningRate() * 2 * gb / m;
      b += velB;
    }
    float[] weight = new float[dim];
    for (int d = 0; d < dim; d++) {
      weight[d] = (float) w[d];
    }
    return new Fit(weight, b, accuracy(w, b, embeddings, hasText, train),
        val.isEmpty() ? Double.NaN : accuracy(w, b, embeddings, hasText, val), train.size(), val.size());
  }

  private void split(List<Integer> cls, List<Integer> train, List<Integer> val) {
    int nVal = (int) Math.floor(cls.size() * options.valFraction());
    nVal = Math.min(nVal, cls.size() - 1);
    train.addAll(cls.subList(0, cls.size() - nVal));
    val.addAll(cls.subList(cls.size() - nVal, cls.size()));
  }

  private static double dot(double[] w, float[] x) {
    double s = 0;
    for (int d = 0; d < w.length; d++) {
      s += w[d] * x[d];
    }
    return s;
  }

  private static double accuracy(double[] w, double b, List<float[]> xs, List<Boolean> ys, List<Integer> idx) {
    int ok = 0;
    for (int i : idx) {
      boolean predicted = 2 * dot(w, xs.get(i)) + b > 0;
      if (predicted == ys.get(i)) {
        ok++;
      }
    }
    return (double) ok / idx.size();
  }
}
