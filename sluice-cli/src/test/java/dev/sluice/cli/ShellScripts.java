package dev.sluice.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The {@code /bin/sh} children and the input lines that the {@code --exec} tests give sluice. */
final class ShellScripts {

  private ShellScripts() {
  }

  /** Writes an executable {@code /bin/sh} script {@code dir/name} and returns its path. */
  static Path write(Path dir, String name, String body) throws IOException {
    Path file = dir.resolve(name);
    Files.writeString(file, "#!/bin/sh\n" + body);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    return file;
  }

  /** The lines "1\n" to "n\n". */
  static String numberLines(int n) {
    StringBuilder lines = new StringBuilder();
    for (int i = 1; i <= n; i++) {
      lines.append(i).append('\n');
    }
    return lines.toString();
  }
}
