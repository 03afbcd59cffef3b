package dev.sluice.kafka.broker;

import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A single-node Kafka cluster inside this JVM: one KRaft server in combined mode (broker and
 * controller in one), listening on 127.0.0.1 only, its data in a temporary folder that
 * {@link #close()} deletes. For {@code sluice demo --via kafka} and for tests; not for production.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().start()) {
 *   kafka.createTopic("jobs", 4);
 *   String bootstrap = kafka.bootstrapServers();   // "127.0.0.1:PORT"
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Why this and not a test kit.</b> It starts {@code kafka.server.KafkaRaftServer} from the
 * {@code kafka_2.13} artifact directly, after formatting the log folder with the storage tool's
 * {@link Formatter}: the same two steps as {@code kafka-storage.sh format} and
 * {@code kafka-server-start.sh}, with no JUnit, test-jar or Scala test dependency. Kafka's own
 * {@code KafkaClusterTestKit} (in {@code kafka-test-common-runtime}) drags in a JUnit extension
 * and the broker's test jars for the same single node.
 *
 * <p><b>Listeners.</b> {@code PLAINTEXT} always (also used between the broker and its own
 * controller); {@code SASL_PLAINTEXT} with PLAIN and SCRAM-SHA-256/512 when
 * {@link Builder#saslUser} named users; {@code SSL} when {@link Builder#tls} gave a key store; {@code SASL_SSL} when both.
 * Ports are picked free at start; a port taken between the pick and the bind is retried.
 *
 * <p><b>Threads.</b> The server's threads are its own. Thread-safe: {@link #close()} may be
 * called from any thread, more than once; it stops the server and waits for the stop.
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);
  private static final int NODE_ID = 1;
  private static final int START_ATTEMPTS = 3;

  private final KafkaRaftServer server;
  private final Path home;
  private final Map<String, Integer> ports;
  private boolean closed;

  private EmbeddedKafkaBroker(KafkaRaftServer server, Path home, Map<String, Integer> ports) {
    this.server = server;
    this.home = home;
    this.ports = ports;
  }

  /** Starts a configuration: no SASL users, no TLS, 30 seconds to start. */
  public static Builder builder() {
    return new Builder();
  }

  /** {@code 127.0.0.1:PORT} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + ports.get("PLAINTEXT");
  }

  /**
   * {@code 127.0.0.1:PORT} of the SASL_PLAINTEXT listener.
   *
   * @throws IllegalStateException if the broker was started without SASL users
   */
  public String saslBootstrapServers() {
    return listener("SASL_PLAINTEXT", "saslUser");
  }

  /**
   * {@code 127.0.0.1:PORT} of the SSL listener.
   *
   * @throws IllegalStateException if the broker was started without TLS
   */
  public String sslBootstrapServers() {
    return listener("SSL", "tls");
  }

  /**
   * {@code 127.0.0.1:PORT} of the SASL_SSL listener (SASL over TLS, as production brokers
   * mostly are), opened when the broker has both SASL users and TLS.
   *
   * @throws IllegalStateException if the broker was started without SASL users or TLS
   */
  public String saslSslBootstrapServers() {
    return listener("SASL_SSL", "saslUser(...) and builder().tls");
  }

  private String listener(String name, String option) {
    Integer port = ports.get(name);
    if (port == null) {
      throw new IllegalStateException("this broker has no " + name + " listener; start it with "
          + "builder()." + option + "(...)");
    }
    return "127.0.0.1:" + port;
  }

  /**
   * Creates a topic with {@code partitions} partitions and waits until every partition has its
   * leader in the broker's metadata: a producer that starts earlier meets
   * {@code NOT_LEADER_OR_FOLLOWER}, and its idempotent retries can then fail with out-of-order
   * sequence errors.
   */
  public void createTopic(String topic, int partitions) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all()
          .get(30, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!allLed(admin, topic, partitions)) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException("topic " + topic + " has no leader after 30 s");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + topic, e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot create topic " + topic + ": " + e.getMessage(), e);
    }
  }

  private static boolean allLed(Admin admin, String topic, int partitions)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    org.apache.kafka.clients.admin.TopicDescription description;
    try {
      description = admin.describeTopics(List.of(topic)).allTopicNames()
          .get(30, TimeUnit.SECONDS).get(topic);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
        return false;                     // created, not yet in the broker's metadata
      }
      throw e;
    }
    return description != null && description.partitions().size() == partitions
        && description.partitions().stream()
            .allMatch(info -> info.leader() != null && !info.leader().isEmpty());
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.shutdown();
      server.awaitShutdown();
    } finally {
      deleteRecursively(home);
    }
  }

  /**
   * What the broker is started with. Not thread-safe: use it from one thread.
   */
  public static final class Builder {
    private final Map<String, String> saslUsers = new LinkedHashMap<>();
    private Path keyStore;
    private String keyStorePassword;
    private Duration timeout = Duration.ofSeconds(30);
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private Builder() {
    }

    /**
     * Adds a user that may log in over SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 or
     * SCRAM-SHA-512, and opens that listener.
     */
    public Builder saslUser(String name, String password) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(password, "password");
      if (name.isEmpty() || name.contains("\"") || name.contains(",") || name.contains("=")
          || password.contains("\"") || password.contains(",") || password.contains("]")) {
        throw new IllegalArgumentException("SASL user names and passwords must not be empty "
            + "nor contain '\"', ',', '=' or ']'");
      }
      saslUsers.put(name, password);
      return this;
    }

    /**
     * Opens an SSL listener with the PKCS12 key store at {@code path}; with SASL users, a
     * SASL_SSL listener too.
     */
    public Builder tls(Path path, String password) {
      this.keyStore = Objects.requireNonNull(path, "path");
      this.keyStorePassword = Objects.requireNonNull(password, "password");
      return this;
    }

    /** How long {@link #start()} waits for the server; default 30 seconds. */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isZero() || timeout.isNegative()) {
        throw new IllegalArgumentException("timeout must be > 0 but was " + timeout);
      }
      this.timeout = timeout;
      return this;
    }

    /** A broker setting of its own, e.g. {@code group.min.session.timeout.ms}. */
    public Builder config(String name, String value) {
      overrides.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Formats a fresh log folder and starts the server.
     *
     * @throws IllegalStateException if it does not start within the timeout
     */
    public EmbeddedKafkaBroker start() {
      IllegalStateException last = null;
      for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
        try {
          return startOnce();
        } catch (PortTakenException e) {
          last = new IllegalStateException("the embedded Kafka broker could not bind its ports: "
              + e.getMessage(), e);
          LOG.debug("port taken at start, retrying: {}", e.getMessage());
        }
      }
      throw last;
    }

    private EmbeddedKafkaBroker startOnce() {
      Path home;
      try {
        home = Files.createTempDirectory("sluice-kafka-");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot create the broker's folder: " + e.getMessage(), e);
      }
      Map<String, Integer> ports = new LinkedHashMap<>();
      ports.put("PLAINTEXT", freePort());
      if (!saslUsers.isEmpty()) {
        ports.put("SASL_PLAINTEXT", freePort());
      }
      if (keyStore != null) {
        ports.put("SSL", freePort());
      }
      if (keyStore != null && !saslUsers.isEmpty()) {
        ports.put("SASL_SSL", freePort());
      }
      int controllerPort = freePort();
      Properties props = properties(home, ports, controllerPort);
      KafkaRaftServer server = null;
      try {
        format(home, props);
        KafkaConfig config = KafkaConfig.fromProps(props, false);
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(server, home, Map.copyOf(ports));
        broker.awaitReady(timeout);
        LOG.info("embedded Kafka broker on {}", broker.bootstrapServers());
        return broker;
      } catch (RuntimeException | Error e) {
        stopQuietly(server);
        deleteRecursively(home);
        if (causedBy(e, BindException.class)) {
          throw new PortTakenException(e);
        }
        throw e instanceof IllegalStateException ise ? ise
            : new IllegalStateException("the embedded Kafka broker did not start: " + e, e);
      }
    }

    private Properties properties(Path home, Map<String, Integer> ports, int controllerPort) {
      Properties p = new Properties();
      StringBuilder listeners = new StringBuilder();
      for (Map.Entry<String, Integer> e : ports.entrySet()) {
        listeners.append(e.getKey()).append("://127.0.0.1:").append(e.getValue()).append(',');
      }
      String advertised = listeners.substring(0, listeners.length() - 1);
      listeners.append("CONTROLLER://127.0.0.1:").append(controllerPort);
      p.put("process.roles", "broker,controller");
      p.put("node.id", Integer.toString(NODE_ID));
      p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
      p.put("listeners", listeners.toString());
      p.put("advertised.listeners", advertised);
      p.put("controller.listener.names", "CONTROLLER");
      p.put("inter.broker.listener.name", "PLAINTEXT");
      p.put("listener.security.protocol.map",
          "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,"
              + "SASL_SSL:SASL_SSL");
      p.put("log.dirs", home.resolve("data").toString());
      p.put("metadata.log.dir", home.resolve("meta").toString());
      // One node: every internal topic with one replica, and no waiting for more members.
      p.put("offsets.topic.replication.factor", "1");
      p.put("offsets.topic.num.partitions", "1");
      p.put("transaction.state.log.replication.factor", "1");
      p.put("transaction.state.log.min.isr", "1");
      p.put("transaction.state.log.num.partitions", "1");
      p.put("share.coordinator.state.topic.replication.factor", "1");
      p.put("share.coordinator.state.topic.min.isr", "1");
      p.put("share.coordinator.state.topic.num.partitions", "1");
      p.put("group.initial.rebalance.delay.ms", "0");
      p.put("num.partitions", "1");
      p.put("default.replication.factor", "1");
      p.put("min.insync.replicas", "1");
      p.put("auto.create.topics.enable", "true");
      p.put("log.segment.delete.delay.ms", "1000");
      if (!saslUsers.isEmpty()) {
        StringBuilder plain = new StringBuilder(
            "org.apache.kafka.common.security.plain.PlainLoginModule required");
        saslUsers.forEach((user, password) ->
            plain.append(" user_").append(user).append("=\"").append(password).append('"'));
        plain.append(';');
        String scram = "org.apache.kafka.common.security.scram.ScramLoginModule required;";
        for (String listener : keyStore == null ? List.of("sasl_plaintext")
            : List.of("sasl_plaintext", "sasl_ssl")) {
          String at = "listener.name." + listener + ".";
          p.put(at + "sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
          p.put(at + "plain.sasl.jaas.config", plain.toString());
          p.put(at + "scram-sha-256.sasl.jaas.config", scram);
          p.put(at + "scram-sha-512.sasl.jaas.config", scram);
        }
      }
      if (keyStore != null) {
        for (String listener : saslUsers.isEmpty() ? List.of("ssl") : List.of("ssl", "sasl_ssl")) {
          String at = "listener.name." + listener + ".";
          p.put(at + "ssl.keystore.location", keyStore.toString());
          p.put(at + "ssl.keystore.password", keyStorePassword);
          p.put(at + "ssl.keystore.type", "PKCS12");
          p.put(at + "ssl.key.password", keyStorePassword);
          p.put(at + "ssl.client.auth", "none");
        }
      }
      p.putAll(overrides);
      return p;
    }

    private void format(Path home, Properties props) {
      List<String> scram = new ArrayList<>();
      saslUsers.forEach((user, password) -> {
        scram.add("SCRAM-SHA-256=[name=" + user + ",password=" + password + "]");
        scram.add("SCRAM-SHA-512=[name=" + user + ",password=" + password + "]");
      });
      Formatter formatter = new Formatter()
          .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(Set.of(props.getProperty("log.dirs"),
              props.getProperty("metadata.log.dir")))
          .setMetadataLogDirectory(props.getProperty("metadata.log.dir"))
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setScramArguments(scram);
      try {
        formatter.run();
      } catch (Exception e) {
        throw new IllegalStateException("cannot format the broker's folder " + home + ": " + e, e);
      }
    }
  }

  /** Waits until the broker answers an admin request. */
  private void awaitReady(Duration timeout) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(p)) {
      admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the embedded Kafka broker started", e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the embedded Kafka broker did not start within "
          + timeout.toSeconds() + " s: " + e, e);
    }
  }

  private static final class PortTakenException extends RuntimeException {
    PortTakenException(Throwable cause) {
      super(cause.toString(), cause);
    }
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static void stopQuietly(KafkaRaftServer server) {
    if (server == null) {
      return;
    }
    try {
      server.shutdown();
      server.awaitShutdown();
    } catch (RuntimeException e) {
      LOG.debug("stopping a broker that failed to start: {}", e.toString());
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1: " + e.getMessage(), e);
    }
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          LOG.debug("cannot delete {}: {}", path, e.toString());
        }
      });
    } catch (IOException e) {
      LOG.debug("cannot delete {}: {}", root, e.toString());
    }
  }
}
