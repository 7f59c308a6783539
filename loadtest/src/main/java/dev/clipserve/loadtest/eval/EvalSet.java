package dev.clipserve.loadtest.eval;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * A labeled image folder: the shipped demo eval set ({@code labels.jsonl}: one JSON object per
 * line with {@code file}, {@code id}, {@code class}, {@code has_text}, {@code text}, as
 * {@code distill/} writes it), or any folder with a CSV labels file whose header names
 * {@code file} and {@code class} (optionally {@code id}, {@code has_text}, {@code text}).
 * Image paths are relative to the folder.
 *
 * @param dir the folder
 * @param items the images, in file order
 */
public record EvalSet(Path dir, List<EvalItem> items) {
  public EvalSet {
    items = List.copyOf(items);
  }

  /**
   * Loads {@code labels} (null: {@code dir/labels.jsonl}, else {@code dir/labels.csv}), keeping
   * at most {@code limit} items (0: all).
   *
   * @throws IOException if the labels file is missing or unreadable
   * @throws IllegalArgumentException naming the line of a malformed label
   */
  public static EvalSet load(Path dir, Path labels, int limit) throws IOException {
    Path file = labels;
    if (file == null) {
      file = Files.exists(dir.resolve("labels.jsonl"))
          ? dir.resolve("labels.jsonl") : dir.resolve("labels.csv");
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    List<EvalItem> items = file.toString().toLowerCase(Locale.ROOT).endsWith(".csv")
        ? parseCsv(dir, lines, file) : parseJsonl(dir, lines, file);
    if (limit > 0 && items.size() > limit) {
      items = items.subList(0, limit);
    }
    return new EvalSet(dir, items);
  }

  private static List<EvalItem> parseJsonl(Path dir, List<String> lines, Path file) {
    List<EvalItem> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty()) {
        continue;
      }
      try {
        JsonObject o = JsonParser.parseString(line).getAsJsonObject();
        String name = o.get("file").getAsString();
        out.add(new EvalItem(
            o.has("id") ? o.get("id").getAsString() : name,
            dir.resolve(name),
            str(o.get("class")),
            o.has("has_text") && o.get("has_text").getAsBoolean(),
            str(o.get("text"))));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": bad label: " + e, e);
      }
    }
    return out;
  }

  private static String str(JsonElement e) {
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  private static List<EvalItem> parseCsv(Path dir, List<String> lines, Path file) {
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(file + ": empty labels file");
    }
    List<String> header = Arrays.asList(lines.get(0).strip().split(",", -1));
    int fileCol = header.indexOf("file");
    int classCol = header.indexOf("class");
    if (fileCol < 0 || classCol < 0) {
      throw new IllegalArgumentException(file + ":1: header must name file and class");
    }
    int idCol = header.indexOf("id");
    int hasTextCol = header.indexOf("has_text");
    int textCol = header.indexOf("text");
    List<EvalItem> out = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      String[] f = lines.get(i).strip().split(",", -1);
      if (f.length < header.size()) {
        throw new IllegalArgumentException(file + ":" + (i + 1) + ": expected " + header.size()
            + " fields, got " + f.length);
      }
      String klass = f[classCol].isEmpty() ? null : f[classCol];
      String text = textCol >= 0 && !f[textCol].isEmpty() ? f[textCol] : null;
      out.add(new EvalItem(idCol >= 0 ? f[idCol] : f[fileCol], dir.resolve(f[fileCol]), klass,
          hasTextCol >= 0 ? Boolean.parseBoolean(f[hasTextCol]) : text != null, text));
    }
    return out;
  }

  /** The distinct object classes, sorted. */
  public List<String> classes() {
    TreeSet<String> s = new TreeSet<>();
    items.forEach(i -> {
      if (i.klass() != null) {
        s.add(i.klass());
      }
    });
    return List.copyOf(s);
  }

  /** The image files, in item order. */
  public List<Path> files() {
    return items.stream().map(EvalItem::file).toList();
  }
}
