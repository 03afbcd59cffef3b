import dev.sluice.Processor;

/** One millisecond of CPU per message (a busy loop on the clock), for the adaptive pool's check. */
public final class Spin implements Processor<String, String> {
  @Override
  public String process(String line) {
    long end = System.nanoTime() + 1_000_000;
    long spins = 0;
    while (System.nanoTime() < end) {
      spins++;
    }
    return line.strip() + " " + spins;
  }
}
