package dev.clipserve.loadtest.eval;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The textness figure: for one text query and one image model, the top-k images at each textness
 * scale (a row per scale), ranked by {@code normalize(t + s*b) . v} as the search service does on
 * the query side.
 */
public final class TextnessGrid {
  /** Pixel side of each thumbnail. */
  public static final int CELL = 72;

  private static final int LABEL_W = 64;
  private static final int TITLE_H = 28;
  private static final int GAP = 4;

  /**
   * One row of the grid.
   *
   * @param scale the textness scale
   * @param top indices into the eval set, best first
   * @param withTextFraction fraction of {@code top} that carries text
   * @param showsClassFraction fraction of {@code top} that shows the query's class (null when the
   *     query is not a class name)
   */
  public record Row(double scale, List<Integer> top, double withTextFraction,
      Double showsClassFraction) {}

  private TextnessGrid() {}

  /** Ranks {@code images} for {@code query} at each scale (client side, exact). */
  public static List<Row> rank(float[] query, float[] bias, float[][] images,
      List<EvalItem> items, List<Double> scales, int k, String queryClass) {
    List<Row> rows = new ArrayList<>();
    for (double s : scales) {
      rows.add(row(s, Vectors.topK(Vectors.shifted(query, bias, s), images, k), items,
          queryClass));
    }
    return rows;
  }

  /** A row from a ranking computed elsewhere (e.g. the server's SearchService). */
  public static Row row(double scale, List<Integer> top, List<EvalItem> items,
      String queryClass) {
    int text = 0;
    int shows = 0;
    for (int i : top) {
      EvalItem it = items.get(i);
      text += it.hasText() ? 1 : 0;
      shows += queryClass != null && queryClass.equals(it.klass()) ? 1 : 0;
    }
    int n = Math.max(1, top.size());
    return new Row(scale, top, (double) text / n,
        queryClass == null ? null : (double) shows / n);
  }

  /** Draws the grid as a PNG at {@code out}. */
  public static void write(Path out, String title, List<Row> rows, List<EvalItem> items)
      throws IOException {
    int k = rows.stream().mapToInt(r -> r.top().size()).max().orElse(0);
    int w = LABEL_W + k * (CELL + GAP) + GAP;
    int h = TITLE_H + rows.size() * (CELL + GAP) + GAP;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_INTERPOLATION,
        RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
        RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, GAP, 20);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    Map<Integer, BufferedImage> cache = new HashMap<>();
    for (int r = 0; r < rows.size(); r++) {
      Row row = rows.get(r);
      int y = TITLE_H + r * (CELL + GAP);
      g.setColor(Color.BLACK);
      g.drawString(String.format("s=%+.0f", row.scale()), GAP, y + CELL / 2 + 5);
      for (int c = 0; c < row.top().size(); c++) {
        int idx = row.top().get(c);
        BufferedImage thumb = cache.get(idx);
        if (thumb == null) {
          thumb = ImageIO.read(items.get(idx).file().toFile());
          cache.put(idx, thumb);
        }
        int x = LABEL_W + c * (CELL + GAP);
        if (thumb != null) {
          g.drawImage(thumb, x, y, CELL, CELL, null);
        }
        g.setColor(items.get(idx).hasText() ? new Color(200, 60, 40) : new Color(60, 120, 200));
        g.fillRect(x, y + CELL - 4, CELL, 4); // red bar: has text; blue: no text
      }
    }
    g.dispose();
    ImageIO.write(img, "png", out.toFile());
  }
}
