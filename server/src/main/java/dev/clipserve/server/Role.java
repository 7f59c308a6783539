package dev.clipserve.server;

/** A model's role in the repository (the manifest's {@code role}). */
public enum Role {
  TEACHER,
  STUDENT
}
