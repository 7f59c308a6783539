package dev.clipserve.loadtest.eval;

import java.nio.file.Path;

/**
 * One labeled evaluation image.
 *
 * @param id unique id
 * @param file the image file
 * @param klass the object class it shows, or null (e.g. a word alone)
 * @param hasText whether the image carries rendered text
 * @param text the text it carries, or null
 */
public record EvalItem(String id, Path file, String klass, boolean hasText, String text) {}
