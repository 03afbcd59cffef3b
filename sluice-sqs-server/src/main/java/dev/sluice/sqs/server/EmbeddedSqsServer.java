package dev.sluice.sqs.server;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.scaladsl.Http;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Await;

/**
 * An SQS-compatible server inside this JVM (ElasticMQ, in memory), listening on 127.0.0.1
 * only, for {@code sluice demo --via sqs} and for tests. Not for production: queues live in
 * memory and vanish with {@link #close()}.
 *
 * <pre>{@code
 * try (EmbeddedSqsServer server = EmbeddedSqsServer.start(0, Duration.ofSeconds(30))) {
 *   URI endpoint = server.endpoint();      // http://127.0.0.1:PORT
 *   ...                                    // any region, any credentials
 * }
 * }</pre>
 *
 * <p>ElasticMQ accepts any credentials and signs nothing, so clients still need some: give them
 * through the AWS SDK's default chain (e.g. {@code AWS_ACCESS_KEY_ID=test}), never a URI.
 *
 * <p><b>Threads.</b> The server runs on its own Pekko actor system; {@link #close()} stops it
 * and waits for the stop. Thread-safe: {@code close()} may be called from any thread, more
 * than once.
 */
public final class EmbeddedSqsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSqsServer.class);
  private static final String HOST = "127.0.0.1";

  private final SQSRestServer server;
  private final int port;
  private boolean closed;

  private EmbeddedSqsServer(SQSRestServer server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts a server on 127.0.0.1:{@code port} ({@code 0} picks a free port) and waits until it
   * is bound.
   *
   * @throws IllegalStateException naming the port and the cause if it did not bind in time
   */
  public static EmbeddedSqsServer start(int port, Duration timeout) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in 0..65535 but was " + port);
    }
    SQSRestServer server = (port == 0
        ? SQSRestServerBuilder.withInterface(HOST).withDynamicPort()
        : SQSRestServerBuilder.withInterface(HOST).withPort(port))
        .start();
    try {
      Http.ServerBinding binding = Await.result(server.startFuture(),
          scala.concurrent.duration.Duration.create(timeout.toMillis(), TimeUnit.MILLISECONDS));
      int bound = ((InetSocketAddress) binding.localAddress()).getPort();
      LOG.debug("ElasticMQ listening on {}:{}", HOST, bound);
      return new EmbeddedSqsServer(server, bound);
    } catch (TimeoutException e) {
      stopQuietly(server);
      throw new IllegalStateException("the embedded SQS server did not start on " + HOST + ":"
          + port + " within " + timeout.toMillis() + " ms", e);
    } catch (Exception e) {
      stopQuietly(server);
      throw new IllegalStateException("the embedded SQS server could not start on " + HOST + ":"
          + port + ": " + e.getMessage(), e);
    }
  }

  /** The port it listens on. */
  public int port() {
    return port;
  }

  /** The endpoint to give SQS clients: {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return URI.create("http://" + HOST + ":" + port);
  }

  /** Stops the server and waits for it; later calls do nothing. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      stopQuietly(server);
    }
  }

  private static void stopQuietly(SQSRestServer server) {
    try {
      server.stopAndWait();
    } catch (RuntimeException e) {
      LOG.warn("the embedded SQS server did not stop cleanly: {}", e.toString());
    }
  }
}
