package dev.sluice.mqtt.internal;

import java.util.Map;

/**
 * One PUBLISH received, version-neutral. {@code acknowledge} sends its PUBACK/PUBREC (through
 * the HiveMQ client, in arrival order); it is safe from any thread and does nothing for QoS 0
 * or for a publish from a connection that has since been replaced.
 */
public record Incoming(String topic, byte[] payload, int qos, Map<String, String> userProperties,
    Runnable acknowledge) {
}
