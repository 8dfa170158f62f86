package io.riskstream.detect;

import io.riskstream.avro.Alert;

/** A rule's finding: the alert, and the key under which it fires at most once for its key. */
public record Finding(String key, Alert alert) {}
