package dev.clipserve.loadtest.report;

import java.awt.Color;

/** The few drawing operations a chart needs, so one layout renders to both PNG and SVG. */
interface Canvas {
  /** Horizontal text anchor. */
  enum Anchor {
    START,
    MIDDLE,
    END
  }

  void polyline(double[] xs, double[] ys, Color color, float width, boolean dashed);

  void dot(double x, double y, double radius, Color color);

  void rect(double x, double y, double w, double h, Color fill);

  /** Text with its baseline at y; rotated -90 degrees around (x, y) when vertical. */
  void text(double x, double y, String s, int size, Color color, Anchor anchor, boolean vertical);
}
