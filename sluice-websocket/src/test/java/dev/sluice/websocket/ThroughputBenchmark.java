package dev.sluice.websocket;

import dev.sluice.Pipeline;
import dev.sluice.Sinks;
import dev.sluice.Sluice;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages per second from a local Jetty server: through a Sluice pipeline with no-op work,
 * next to a bare JDK WebSocket client reading the same server in the same run (one message
 * requested at a time, as the JDK's default listener does, and everything requested at once).
 * Rounds alternate so that drift in the machine affects all three alike.
 *
 * <p>Not a test: run it with
 * {@code java -cp sluice-websocket/target/test-classes:sluice-websocket/target/classes:<test
 * classpath> dev.sluice.websocket.ThroughputBenchmark [messages] [rounds]}.
 */
public final class ThroughputBenchmark {

  private ThroughputBenchmark() {
  }

  public static void main(String[] args) throws Exception {
    int messages = args.length > 0 ? Integer.parseInt(args[0]) : 500_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    String payload = "{\"price\":1234.5,\"size\":10,\"side\":\"buy\",\"seq\":0000000}";
    try (TestServer server = TestServer.start(conn -> {
      for (int i = 0; i < messages; i++) {
        conn.send(payload);
      }
      conn.close(1000, "");
    })) {
      URI uri = server.uri("/bench");
      double[] sluice = new double[rounds];
      double[] bareOne = new double[rounds];
      double[] bareAll = new double[rounds];
      for (int round = -1; round < rounds; round++) {        // round -1 warms up
        double s = sluice(uri, messages);
        double one = bare(uri, messages, false);
        double all = bare(uri, messages, true);
        if (round >= 0) {
          sluice[round] = s;
          bareOne[round] = one;
          bareAll[round] = all;
        }
        System.out.printf(Locale.ROOT, "%s sluice %,.0f/s  bare request(1) %,.0f/s  "
            + "bare request(MAX) %,.0f/s%n", round < 0 ? "warm-up" : "round " + round, s, one, all);
      }
      double s = median(sluice);
      double one = median(bareOne);
      double all = median(bareAll);
      System.out.printf(Locale.ROOT, "median of %d rounds of %,d messages: sluice %,.0f/s, "
          + "bare request(1) %,.0f/s (sluice %.0f%%), bare request(MAX) %,.0f/s (sluice %.0f%%)%n",
          rounds, messages, s, one, 100 * s / one, all, 100 * s / all);
    }
  }

  private static double sluice(URI uri, int messages) throws Exception {
    WebSocketSource source = WebSocketSource.builder(uri).noReconnect().build();
    long start = System.nanoTime();
    Pipeline pipeline = Sluice.from(source).process(m -> m).to(Sinks.discard()).start();
    long completed = pipeline.completion().get(5, TimeUnit.MINUTES).completed();
    long nanos = System.nanoTime() - start;
    if (completed != messages) {
      throw new AssertionError("sluice completed " + completed + " of " + messages);
    }
    return messages * 1e9 / nanos;
  }

  private static double bare(URI uri, int messages, boolean requestAll) throws Exception {
    AtomicLong count = new AtomicLong();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    long start = System.nanoTime();
    HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(uri, new WebSocket.Listener() {
      @Override
      public void onOpen(WebSocket ws) {
        ws.request(requestAll ? Long.MAX_VALUE : 1);
      }

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        if (last) {
          count.incrementAndGet();
        }
        if (!requestAll) {
          ws.request(1);
        }
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
        closed.complete(null);
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        closed.completeExceptionally(error);
      }
    }).join();
    closed.get(5, TimeUnit.MINUTES);
    long nanos = System.nanoTime() - start;
    if (count.get() != messages) {
      throw new AssertionError("bare client read " + count.get() + " of " + messages);
    }
    return messages * 1e9 / nanos;
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }
}
