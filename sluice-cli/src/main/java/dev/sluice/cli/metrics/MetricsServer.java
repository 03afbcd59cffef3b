package dev.sluice.cli.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.Stats;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The runner's HTTP endpoint (the JDK's own server): {@code GET /metrics} answers the
 * Prometheus text format, {@code GET /health} answers 200 {@code ok} or 503 with why.
 *
 * <p><b>Threads.</b> Requests are served one at a time on one daemon thread
 * ({@code sluice-metrics}); {@code stats} and the {@link HealthMonitor} are called there.
 * {@link #close} may be called from any thread, once.
 */
public final class MetricsServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor;
  private volatile Supplier<Stats> stats;   // null until the pipeline has started

  private MetricsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code bind:port} (port 0: any free port) and serves until {@link #close}; both
   * paths answer 503 until {@link #serve} names the statistics.
   *
   * @throws IllegalArgumentException if the address is unknown or cannot be bound, in one line
   */
  public static MetricsServer start(String bind, int port, HealthMonitor health) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("--metrics-port must be in 0..65535 but was " + port);
    }
    InetSocketAddress address;
    try {
      address = new InetSocketAddress(InetAddress.getByName(bind), port);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--metrics-bind '" + bind + "' is not a known address");
    }
    HttpServer server;
    try {
      server = HttpServer.create(address, 16);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot serve metrics on " + bind + ":" + port + ": "
          + e.getMessage() + " (pick another --metrics-port)");
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "sluice-metrics");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    MetricsServer metrics = new MetricsServer(server, executor);
    server.createContext("/metrics", exchange -> {
      Supplier<Stats> source = metrics.stats;
      if (source == null) {
        respond(exchange, 503, "text/plain; charset=utf-8", "starting\n");
        return;
      }
      Stats snapshot = source.get();
      health.observe(snapshot);
      respond(exchange, 200, PrometheusText.CONTENT_TYPE,
          PrometheusText.render(snapshot, health.check().healthy()));
    });
    server.createContext("/health", exchange -> {
      Supplier<Stats> source = metrics.stats;
      HealthMonitor.Health verdict = new HealthMonitor.Health(false, "starting");
      if (source != null) {
        health.observe(source.get());
        verdict = health.check();
      }
      respond(exchange, verdict.healthy() ? 200 : 503, "text/plain; charset=utf-8",
          verdict.reason() + "\n");
    });
    server.start();
    return metrics;
  }

  /** Starts answering with {@code stats} (the running pipeline's). */
  public void serve(Supplier<Stats> stats) {
    this.stats = stats;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
