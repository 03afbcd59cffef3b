#!/usr/bin/env bash
# Receive -> no-op -> delete through a Sluice pipeline against a bare AWS SDK loop (receive 10,
# delete the batch), on the same embedded ElasticMQ in the same run, alternating rounds.
# Usage: sluice-sqs/bench/run.sh [MESSAGES_PER_ROUND] [ROUNDS]     (defaults 10000 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -pl sluice-sqs -am test-compile
./mvnw -B -q -pl sluice-sqs -am dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
# ElasticMQ takes any credentials; the SDK's default chain reads these system properties.
exec java -Daws.accessKeyId=test -Daws.secretAccessKey=test \
  -Dorg.slf4j.simpleLogger.log.dev.sluice=warn \
  -cp "$(cat sluice-sqs/target/bench.classpath):sluice-sqs/target/classes:sluice-sqs/target/test-classes" \
  dev.sluice.sqs.bench.SqsReceiveBench "${1:-10000}" "${2:-3}"
