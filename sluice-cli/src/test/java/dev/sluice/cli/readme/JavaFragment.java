package dev.sluice.cli.readme;

/** A README Java fragment made a program the test can compile, run, feed and stop. */
final class JavaFragment {

  /** The line the program prints once the fragment's pipeline runs. */
  static final String STARTED = "README snippet started";

  private JavaFragment() {
  }

  /**
   * A Java fragment as a program: the usual imports, stand-ins for the methods the README leaves
   * to the reader ({@code score}, {@code work}), the fragment in {@code main}, then
   * {@code beforeStarted}, a line saying it started, and a wait for stdin to close, after which
   * it closes the fragment's {@code pipeline} and returns: the JVM must then exit by itself.
   */
  static String program(Readme.Block fragment, String beforeStarted) {
    return String.join("\n",
        "import dev.sluice.*;",
        "import dev.sluice.kafka.*;",
        "import dev.sluice.mqtt.*;",
        "import dev.sluice.sqs.*;",
        "import dev.sluice.websocket.*;",
        "import java.nio.charset.StandardCharsets;",
        "import java.nio.file.*;",
        "import java.time.*;",
        "import java.util.*;",
        "",
        "/** README.md's block at line " + fragment.line() + ", made a program by the test. */",
        "public class Snippet {",
        "  /** The reader's scoring code. */",
        "  static String score(String json) { return \"scored \" + json; }",
        "",
        "  /** The reader's work: fails on \"poison\". */",
        "  static String work(byte[] bytes) {",
        "    String job = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);",
        "    if (job.equals(\"poison\")) {",
        "      throw new IllegalArgumentException(\"cannot work on \" + job);",
        "    }",
        "    return \"worked \" + job;",
        "  }",
        "",
        "  /** The same for a text payload (an SQS body). */",
        "  static String work(String job) {",
        "    return work(job.getBytes(java.nio.charset.StandardCharsets.UTF_8));",
        "  }",
        "",
        "  public static void main(String[] args) throws Exception {",
        "// ---- README.md line " + (fragment.line() + 1),
        fragment.text(),
        "// ---- the test's",
        beforeStarted,
        "System.out.println(\"" + STARTED + "\");",
        "while (System.in.read() != -1) { }",
        "pipeline.close();",
        "  }",
        "}",
        "");
  }
}
