import dev.sluice.Processor;

/** The in-JVM peer of square.py for --processor: the square of a number, as text. */
public final class Square implements Processor<String, String> {
  @Override
  public String process(String line) {
    long n = Long.parseLong(line.strip());
    return Long.toString(n * n);
  }
}
