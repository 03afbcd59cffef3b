#!/usr/bin/env bash
# A no-op Sluice pipeline against a bare KafkaConsumer poll loop (both committing), and 1 ms of
# CPU work per record on a one-partition topic with 2 workers against the 2-worker ideal, on
# one embedded KRaft broker in the same run, in rounds.
# Usage: sluice-kafka/bench/run.sh [RECORDS_PER_ROUND] [ROUNDS] [WORK_RECORDS]  (defaults 200000 5 4000)
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -pl sluice-kafka -am test-compile
./mvnw -B -q -pl sluice-kafka -am dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
# The sibling modules from this tree's build, not whatever SNAPSHOT jars ~/.m2 holds.
deps=$(tr ':' '\n' < sluice-kafka/target/bench.classpath | grep -v '/dev/sluice/' | paste -sd: -)
own=sluice-core/target/classes:sluice-kafka-broker/target/classes
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "$own:sluice-kafka/target/classes:sluice-kafka/target/test-classes:$deps" \
  dev.sluice.kafka.KafkaThroughputBenchmark "${1:-200000}" "${2:-5}" "${3:-4000}"
