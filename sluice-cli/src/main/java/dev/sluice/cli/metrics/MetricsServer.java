package dev.sluice.cli.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.Stats;
import dev.sluice.Tap;
import dev.sluice.cli.json.Json;
import dev.sluice.spi.ConnectionState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The runner's HTTP endpoint (the JDK's own server):
 * <ul>
 *   <li>{@code GET /} a live page (self-contained: no CDN) that redraws every second from
 *       {@code /stats.json};
 *   <li>{@code GET /stats.json} the statistics now, with the capacity verdict, the source's
 *       connection state and backlog (where it reports them) and the last dead letters;
 *   <li>{@code GET /metrics} Prometheus metrics ({@link PrometheusMetrics}), in OpenMetrics
 *       when the scraper asks for it, else the text format 0.0.4;
 *   <li>{@code GET /health} 200 {@code ok}, or 503 with why.
 * </ul>
 * Attach {@link #listeners()} to the pipeline through a {@link Tap} for the latency histograms
 * and the dead letters.
 *
 * <p><b>Threads.</b> Requests are served one at a time on one daemon thread
 * ({@code sluice-metrics}); {@code stats} and the {@link HealthMonitor} are called there.
 * {@link #close} may be called from any thread, once.
 */
public final class MetricsServer implements AutoCloseable {

  private static final String TEXT = "text/plain; charset=utf-8";
  private static final int DEAD_LETTERS_SHOWN = 10;

  private final HttpServer server;
  private final ExecutorService executor;
  private final HealthMonitor health;
  private final SourceView source;
  private final PrometheusMetrics prometheus;
  private final RecentDeadLetters deadLetters = new RecentDeadLetters(DEAD_LETTERS_SHOWN);
  private final byte[] livePage = livePage();
  private volatile Supplier<Stats> stats;   // null until the pipeline has started

  private MetricsServer(HttpServer server, ExecutorService executor, String pipeline,
      HealthMonitor health, SourceView source) {
    this.server = server;
    this.executor = executor;
    this.health = health;
    this.source = source;
    this.prometheus = new PrometheusMetrics(pipeline, source);
  }

  /**
   * As {@link #start(String, int, String, HealthMonitor, SourceView)}, for a source known only
   * as connected or not.
   */
  public static MetricsServer start(String bind, int port, String pipeline,
      HealthMonitor health, BooleanSupplier sourceConnected) {
    return start(bind, port, pipeline, health, SourceView.connectedOnly(sourceConnected));
  }

  /**
   * Binds {@code bind:port} (port 0: any free port) and serves until {@link #close}; every
   * path but {@code /} answers 503 until {@link #serve} names the statistics. Series are
   * labelled {@code pipeline="PIPELINE"}; the {@code source}'s state and backlog are shown on
   * the live page, in {@code /stats.json} and in {@code /metrics} where it reports them.
   *
   * @throws IllegalArgumentException if the address is unknown or cannot be bound, in one line
   */
  public static MetricsServer start(String bind, int port, String pipeline,
      HealthMonitor health, SourceView source) {
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
    MetricsServer metrics = new MetricsServer(server, executor, pipeline, health, source);
    server.createContext("/", metrics::live);
    server.createContext("/metrics", metrics::metrics);
    server.createContext("/stats.json", metrics::statsJson);
    server.createContext("/health", metrics::health);
    server.start();
    return metrics;
  }

  /** What to attach to the pipeline's {@link Tap}: latency histograms and dead letters. */
  public Tap.Listener[] listeners() {
    return new Tap.Listener[] {prometheus, deadLetters};
  }

  /** Starts answering with {@code stats} (the running pipeline's). */
  public void serve(Supplier<Stats> stats) {
    this.stats = stats;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---- handlers, on the sluice-metrics thread ----

  private void live(HttpExchange exchange) throws IOException {
    if (!exchange.getRequestURI().getPath().equals("/")) {
      respond(exchange, 404, TEXT, bytes("not found: try /, /metrics, /stats.json or /health\n"));
      return;
    }
    respond(exchange, 200, "text/html; charset=utf-8", livePage);
  }

  private void metrics(HttpExchange exchange) throws IOException {
    Stats snapshot = observe();
    if (snapshot == null) {
      respond(exchange, 503, TEXT, bytes("starting\n"));
      return;
    }
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    PrometheusMetrics.Exposition exposition = prometheus.scrape(snapshot,
        health.check().healthy(), accept == null ? "" : accept);
    respond(exchange, 200, exposition.contentType(), exposition.body());
  }

  private void statsJson(HttpExchange exchange) throws IOException {
    Stats snapshot = observe();
    if (snapshot == null) {
      respond(exchange, 503, TEXT, bytes("starting\n"));
      return;
    }
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    respond(exchange, 200, "application/json", bytes(Json.write(json(snapshot))));
  }

  private void health(HttpExchange exchange) throws IOException {
    HealthMonitor.Health verdict = observe() == null
        ? new HealthMonitor.Health(false, "starting") : health.check();
    respond(exchange, verdict.healthy() ? 200 : 503, TEXT, bytes(verdict.reason() + "\n"));
  }

  private Stats observe() {
    Supplier<Stats> source = stats;
    if (source == null) {
      return null;
    }
    Stats snapshot = source.get();
    health.observe(snapshot);
    return snapshot;
  }

  /** {@code /stats.json}: the figures the live page shows. */
  private Map<String, Object> json(Stats s) {
    HealthMonitor.Health verdict = health.check();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("uptimeSeconds", seconds(s.uptime()));
    out.put("received", s.received());
    out.put("completed", s.completed());
    out.put("failed", s.failed());
    out.put("retried", s.retried());
    out.put("deadLettered", s.deadLettered());
    out.put("nacked", s.nacked());
    out.put("timedOut", s.timedOut());
    out.put("inFlight", s.inFlight());
    out.put("queued", s.queued());
    out.put("busyWorkers", (long) s.busyWorkers());
    out.put("workers", (long) s.workers());
    out.put("arrivalRate", s.arrivalRate());
    out.put("completionRate", s.completionRate());
    out.put("utilisation", s.utilisation());
    out.put("workersNeeded", (long) s.workersNeeded());
    out.put("fallingBehind", s.fallingBehind());
    out.put("verdict", s.fallingBehind()
        ? "falling behind: need " + s.workersNeeded() + " workers, have " + s.workers()
        : s.workersNeeded() > s.workers()
            ? "near capacity: need " + s.workersNeeded() + " workers, have " + s.workers()
            : "keeping up");
    out.put("attemptP50Seconds", seconds(s.serviceP50()));
    out.put("attemptP99Seconds", seconds(s.serviceP99()));
    out.put("endToEndP50Seconds", seconds(s.endToEndP50()));
    out.put("endToEndP99Seconds", seconds(s.endToEndP99()));
    out.put("meanAttemptSeconds", seconds(s.meanService()));
    ConnectionState state = source.state().get();
    out.put("source", state != null ? SourceView.words(state)
        : source.connected().getAsBoolean() ? "connected" : "disconnected");
    out.put("sourceState", state != null ? SourceView.label(state) : null);
    long backlog = source.backlog().getAsLong();
    out.put("sourceBacklog", backlog >= 0 ? (Object) backlog : null);
    out.put("healthy", verdict.healthy());
    out.put("health", verdict.reason());
    List<Object> letters = new ArrayList<>();
    for (RecentDeadLetters.Entry e : deadLetters.recent()) {
      Map<String, Object> letter = new LinkedHashMap<>();
      letter.put("at", e.at().toString());
      letter.put("message", e.message());
      letter.put("attempts", (long) e.attempts());
      letter.put("cause", e.cause());
      letters.add(letter);
    }
    out.put("deadLetters", letters);
    return out;
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    try (exchange) {
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", type);
      exchange.sendResponseHeaders(status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static byte[] livePage() {
    try (InputStream in = MetricsServer.class.getResourceAsStream("live.html")) {
      if (in == null) {
        throw new IllegalStateException("live.html is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
