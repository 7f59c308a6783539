package dev.clipserve.server;

/** What a model encodes (the manifest's {@code modality}). */
public enum Modality {
  IMAGE,
  TEXT;

  /** Lower-case name as used in manifests and messages. */
  public String label() {
    return this == IMAGE ? "image" : "text";
  }

  /** "an image" / "a text", for messages. */
  public String withArticle() {
    return this == IMAGE ? "an image" : "a text";
  }
}
