/**
 * Sluice's Amazon SQS source and sink ({@code dev.sluice.sqs}), on the AWS SDK for Java v2
 * (its modules are named in their manifests). The receiver, the settler and the send batcher
 * ({@code dev.sluice.sqs.internal}) are not exported.
 */
module dev.sluice.sqs {
  requires transitive dev.sluice.core;
  requires transitive software.amazon.awssdk.services.sqs;
  requires software.amazon.awssdk.auth;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.http.urlconnection;
  requires software.amazon.awssdk.regions;
  requires org.slf4j;

  exports dev.sluice.sqs;
}
