package dev.sluice.sqs;

import dev.sluice.sqs.internal.AbortableHttpClient;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * Where SQS is and how to sign in: a region, an optional endpoint override (ElasticMQ,
 * LocalStack, a VPC endpoint), and credentials from the AWS SDK's default provider chain
 * (environment, system properties, profile, web identity, container and instance roles).
 * There is deliberately no way to put keys here: they do not belong in URIs, arguments or
 * logs.
 *
 * <pre>{@code
 * SqsEndpoint aws = SqsEndpoint.builder().region("eu-west-1").build();
 * SqsEndpoint local = SqsEndpoint.builder().region("us-east-1")
 *     .endpointOverride(URI.create("http://127.0.0.1:9324")).build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. The clients it makes are the SDK's synchronous {@link SqsClient}
 * over the JDK's {@code HttpURLConnection} ({@code url-connection-client}): sources and sinks call
 * SQS from threads of their own, so the asynchronous client's Netty event loop would add a
 * large dependency and buy nothing.
 */
public final class SqsEndpoint {

  private final Region region;
  private final URI endpointOverride;

  private SqsEndpoint(Region region, URI endpointOverride) {
    this.region = region;
    this.endpointOverride = endpointOverride;
  }

  /** Starts an endpoint configuration. */
  public static Builder builder() {
    return new Builder();
  }

  /** The region, or empty to take it from the SDK's default region chain. */
  public Optional<String> region() {
    return Optional.ofNullable(region).map(Region::id);
  }

  /** The endpoint override, or empty for AWS's own endpoint for the region. */
  public Optional<URI> endpointOverride() {
    return Optional.ofNullable(endpointOverride);
  }

  /**
   * A new client. {@code readTimeout} must exceed the longest long poll the client will make;
   * the caller owns the client and closes it.
   */
  public SqsClient newClient(Duration readTimeout) {
    return newClient(UrlConnectionHttpClient.builder()
        .socketTimeout(readTimeout)
        .connectionTimeout(Duration.ofSeconds(10))
        .build());
  }

  /** A new client over {@code http}, which it closes when it is closed. */
  SqsClient newClientOver(AbortableHttpClient http) {
    return newClient((software.amazon.awssdk.http.SdkHttpClient) http);
  }

  private SqsClient newClient(software.amazon.awssdk.http.SdkHttpClient http) {
    AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
    SqsClientBuilder builder = SqsClient.builder()
        .httpClient(http)
        .credentialsProvider(credentials);
    if (region != null) {
      builder.region(region);
    }
    if (endpointOverride != null) {
      builder.endpointOverride(endpointOverride);
    }
    return builder.build();
  }

  @Override
  public String toString() {
    return "SqsEndpoint[region=" + (region == null ? "(default chain)" : region.id())
        + (endpointOverride == null ? "" : ", endpoint=" + endpointOverride) + "]";
  }

  /** Builds an {@link SqsEndpoint}. Not thread-safe. */
  public static final class Builder {
    private String region;
    private URI endpointOverride;

    private Builder() {
    }

    /** The AWS region, e.g. {@code eu-west-1} (default: the SDK's region chain). */
    public Builder region(String region) {
      this.region = Objects.requireNonNull(region, "region");
      return this;
    }

    /** Another endpoint than AWS's, e.g. {@code http://127.0.0.1:9324} for ElasticMQ. */
    public Builder endpointOverride(URI endpointOverride) {
      this.endpointOverride = Objects.requireNonNull(endpointOverride, "endpointOverride");
      return this;
    }

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException for a blank region or an endpoint that is not http(s)
     */
    public SqsEndpoint build() {
      if (region != null && !region.matches("[a-z0-9-]{2,40}")) {
        throw new IllegalArgumentException("region must look like eu-west-1 but was '"
            + region + "'");
      }
      if (endpointOverride != null) {
        String scheme = endpointOverride.getScheme();
        if (!"http".equals(scheme) && !"https".equals(scheme) || endpointOverride.getHost() == null) {
          throw new IllegalArgumentException("endpoint must be an http:// or https:// URL but was '"
              + endpointOverride + "'");
        }
        if (endpointOverride.getUserInfo() != null) {
          throw new IllegalArgumentException("endpoint must not carry credentials; use the AWS"
              + " SDK's default chain (e.g. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)");
        }
      }
      return new SqsEndpoint(region == null ? null : Region.of(region), endpointOverride);
    }
  }
}
