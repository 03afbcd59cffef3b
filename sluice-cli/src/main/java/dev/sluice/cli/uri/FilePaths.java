package dev.sluice.cli.uri;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Reads the path of a {@code file:PATH} or {@code file:///PATH} URI. Stateless. */
final class FilePaths {

  private FilePaths() {
  }

  static Path of(String uri, String rest, String option) {
    String path = rest.startsWith("//") ? rest.substring(2) : rest;
    if (path.isEmpty()) {
      throw new IllegalArgumentException(option + " '" + uri
          + "' names no file: write file:PATH");
    }
    try {
      return Path.of(path);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(option + " '" + uri + "': " + e.getMessage());
    }
  }
}
