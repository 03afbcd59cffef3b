/**
 * An in-JVM SQS-compatible server ({@code dev.sluice.sqs.server}), for {@code sluice demo --via
 * sqs} and for tests.
 *
 * <p>ElasticMQ ({@code elasticmq-rest-sqs_2.13}) and most of the Scala jars under it have no
 * module name and none that can be derived from their file names, so they stay on the class
 * path: the build lets this module read the unnamed module ({@code --add-reads}, see the POM).
 */
module dev.sluice.sqs.server {
  requires org.slf4j;

  exports dev.sluice.sqs.server;
}
