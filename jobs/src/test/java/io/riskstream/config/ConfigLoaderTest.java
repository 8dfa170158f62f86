package io.riskstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final List<String> REQUIRED =
      List.of("kafka.bootstrap-servers=broker:9092", "registry.url=http://registry:8081");

  @TempDir Path dir;

  /** The required keys plus {@code sets}, from --set flags only. */
  private static RiskstreamConfig withRequired(String... sets) {
    List<String> all = new java.util.ArrayList<>(REQUIRED);
    all.addAll(List.of(sets));
    return RiskstreamConfig.load(null, Map.of(), all);
  }

  private Path yaml(String text) throws Exception {
    Path file = dir.resolve("riskstream.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void edgeCasesOfTheSettingsFailInOneLineNamingTheKey() {
    assertThatThrownBy(() -> withRequired("checkpoints.interval=0 s"))
        .hasMessage("'checkpoints.interval' must be more than 0 s, was 0 ms; the default is 10 s");
    assertThatThrownBy(() -> withRequired("registry.timeout=0 s"))
        .hasMessage("'registry.timeout' must be more than 0 s, was 0 ms; the default is 10 s");
    assertThatThrownBy(() -> withRequired("metrics.port=65536"))
        .hasMessage(
            "'metrics.port' must be a port (1-65535), 0 for a free one or -1 for none, was 65536");
    assertThatThrownBy(() -> withRequired("registry.max-attempts=0"))
        .hasMessage("'registry.max-attempts' must be at least 1 (one request, no retry)");
    assertThatThrownBy(() -> withRequired("state.cache-keys=-1"))
        .hasMessage("'state.cache-keys' must be 0 (no cache) or more, was -1");
    assertThatThrownBy(() -> withRequired("job.parallelism=800"))
        .hasMessage("'job.max-parallelism' must be between 'job.parallelism' (800) and 32768");
    assertThatThrownBy(() -> withRequired("topics.alerts=payments"))
        .hasMessage(
            "'topics.payments' and 'topics.alerts' both name the topic 'payments'; every topic key"
                + " needs a topic of its own");
    assertThatThrownBy(() -> withRequired("topics.bills= "))
        .hasMessage("'topics.bills' is empty: name the topic to use");
    assertThat(withRequired("watermarks.idleness=0 s").idleness()).as("0 s is off").isNull();
    assertThat(withRequired().idleness()).isEqualTo(Duration.ofSeconds(30));
    assertThat(withRequired().firstRecordGrace()).isEqualTo(Duration.ofMinutes(1));
    assertThat(withRequired("watermarks.first-record-grace=15 s").firstRecordGrace())
        .isEqualTo(Duration.ofSeconds(15));
    assertThat(
            withRequired("state.cache-keys=0")
                .flinkConfiguration()
                .get(RiskstreamConfig.FLINK_STATE_CACHE_KEYS))
        .as("reaches the job's Flink configuration, where the workflow reads it")
        .isZero();
    assertThat(withRequired().flinkConfiguration().get(RiskstreamConfig.FLINK_STATE_CACHE_KEYS))
        .as("20,000 keys unless set (fewer where the heap affords fewer)")
        .isEqualTo(20_000);
  }

  @Test
  void aSecretFileThatIsNotThereIsNamedInWords() {
    assertThatThrownBy(
            () -> withRequired("registry.basic-auth.user-info-file=/nope/registry-credentials"))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "cannot read the secret file '/nope/registry-credentials' of"
                + " 'registry.basic-auth.user-info-file' (--set): no such file");
  }

  @Test
  void aSecretOfAPassThroughKeyIsSentToTheVariableThatHoldsThoseKeys() {
    assertThatThrownBy(() -> withRequired("kafka.properties.sasl.jaas.config=x"))
        .hasMessage(
            "'kafka.properties.sasl.jaas.config' is a secret: pass it as"
                + " RISKSTREAM_KAFKA_PROPERTIES (a line 'sasl.jaas.config: ...') or"
                + " kafka.properties.sasl.jaas.config-file, not on the command line");
    // ... and that variable is read: the secret arrives where the message says.
    RiskstreamConfig fromEnvironment =
        RiskstreamConfig.load(
            null,
            Map.of("RISKSTREAM_KAFKA_PROPERTIES", "sasl.jaas.config: org.example.Login required;"),
            REQUIRED);
    assertThat(fromEnvironment.kafkaProperties().getProperty("sasl.jaas.config"))
        .isEqualTo("org.example.Login required;");
  }

  @Test
  void postgresTakesTheJdbcFormAndTheFormPsqlTakes() {
    RiskstreamConfig.Postgres jdbc =
        withRequired("postgres.url=jdbc:postgresql://db:5432/risk").postgres();
    RiskstreamConfig.Postgres libpq =
        withRequired("postgres.url=postgresql://postgres:pw@127.0.0.1:5433/postgres").postgres();
    RiskstreamConfig.Postgres noUser =
        withRequired("postgres.url=postgres://db/risk?sslmode=require").postgres();

    assertThat(List.of(jdbc.url(), jdbc.user(), String.valueOf(jdbc.password())))
        .containsExactly("jdbc:postgresql://db:5432/risk", "riskstream", "null");
    assertThat(List.of(libpq.url(), libpq.user(), libpq.password()))
        .containsExactly("jdbc:postgresql://127.0.0.1:5433/postgres", "postgres", "pw");
    assertThat(List.of(noUser.url(), noUser.user()))
        .containsExactly("jdbc:postgresql://db/risk?sslmode=require", "riskstream");
    assertThatThrownBy(() -> withRequired("postgres.url=mysql://db/risk").postgres())
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "invalid value 'mysql://db/risk' in 'postgres.url': expected"
                + " jdbc:postgresql://host:5432/db or postgresql://user@host:5432/db");
  }

  @Test
  void fileThenEnvironmentThenSetWin() throws Exception {
    Path file =
        yaml(
            """
        kafka:
          bootstrap-servers: from-file:9092
          group-id: from-file
          properties:
            security.protocol: SASL_SSL
        registry:
          url: http://file:8081
        watermarks:
          idleness: 45 s
        topics:
          alerts: file-alerts
        """);
    RiskstreamConfig config =
        RiskstreamConfig.load(
            file,
            Map.of(
                "RISKSTREAM_KAFKA_GROUP_ID",
                "from-env",
                "RISKSTREAM_TOPICS_ALERTS",
                "env-alerts",
                "PATH",
                "/bin"),
            List.of("topics.alerts=set-alerts"));

    assertThat(config.bootstrapServers()).isEqualTo("from-file:9092");
    assertThat(config.groupId()).isEqualTo("from-env");
    assertThat(config.topics().alerts()).isEqualTo("set-alerts");
    assertThat(config.topics().payments()).isEqualTo("payments");
    assertThat(config.idleness()).isEqualTo(Duration.ofSeconds(45));
    assertThat(config.kafkaProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("bootstrap.servers", "from-file:9092");
  }

  @Test
  void flinkSettingsComeFromTypedKeysAndPassThrough() {
    RiskstreamConfig config =
        RiskstreamConfig.load(
            null,
            Map.of(),
            List.of(
                REQUIRED.get(0),
                REQUIRED.get(1),
                "checkpoints.interval=30 s",
                "flink.taskmanager.numberOfTaskSlots=4"));

    assertThat(config.flinkConfiguration().toMap())
        .containsEntry("state.backend.type", "rocksdb")
        .containsEntry("execution.checkpointing.interval", "30000 ms")
        .containsEntry("execution.checkpointing.incremental", "true")
        .containsEntry("pipeline.generic-types", "false")
        .containsEntry("taskmanager.numberOfTaskSlots", "4");
  }

  @Test
  void unknownKeyIsNamedWithASuggestion() throws Exception {
    Path file = yaml("kafka:\n  bootstrap-server: x:9092\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "unknown configuration key 'kafka.bootstrap-server' ("
                + file
                + "); did you mean 'kafka.bootstrap-servers'?; keys under [kafka.properties., flink.] are passed through");
  }

  @Test
  void invalidValueNamesTheKeyAndTheExpectedForm() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of(), List.of("watermarks.idleness=soon")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "invalid value 'soon' for 'watermarks.idleness' (--set): expected a duration such as 30 s, 10 min or 1 h");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("RISKSTREAM_JOB_PARALLELISM", "two"), List.of()))
        .hasMessageStartingWith(
            "invalid value 'two' for 'job.parallelism' (environment RISKSTREAM_JOB_PARALLELISM): expected a whole number");
  }

  @Test
  void missingRequiredKeySaysHowToSetIt() {
    assertThatThrownBy(() -> RiskstreamConfig.load(null, Map.of(), List.of(REQUIRED.get(1))))
        .hasMessage(
            "missing 'kafka.bootstrap-servers': set it in the YAML file, as RISKSTREAM_KAFKA_BOOTSTRAP_SERVERS"
                + " or with --set kafka.bootstrap-servers=host:9092");
  }

  @Test
  void transactionTimeoutMustOutlastACheckpointAndARestart() {
    assertThatThrownBy(
            () ->
                withRequired(
                    "kafka.transaction-timeout=3 min",
                    "checkpoints.interval=10 s",
                    "checkpoints.timeout=2 min"))
        .hasMessage(
            "'kafka.transaction-timeout' (3 min) must be at least 'checkpoints.interval' +"
                + " 'checkpoints.timeout' + 1 min to restart (190 s), or a transaction can expire"
                + " before the checkpoint that commits it; raise it (at most the brokers'"
                + " transaction.max.timeout.ms) or lower the others");
    RiskstreamConfig enough =
        withRequired(
            "kafka.transaction-timeout=3 min",
            "checkpoints.interval=10 s",
            "checkpoints.timeout=110 s");
    assertThat(enough.transactionTimeout()).isEqualTo(Duration.ofMinutes(3));
  }

  @Test
  void checkpointsAndKeyGroupsAreSetExplicitly() {
    var flink = withRequired().flinkConfiguration().toMap();

    assertThat(flink)
        .containsEntry("pipeline.max-parallelism", "720")
        .containsEntry("execution.checkpointing.timeout", "120000 ms")
        .containsEntry("execution.checkpointing.min-pause", "1000 ms")
        .containsEntry("execution.checkpointing.tolerable-failed-checkpoints", "3");
    assertThatThrownBy(() -> withRequired("job.parallelism=8", "job.max-parallelism=4"))
        .hasMessage("'job.max-parallelism' must be between 'job.parallelism' (8) and 32768");
  }

  @Test
  void secretsAreRefusedInTheFileAndReadFromEnvironmentOrFile() throws Exception {
    Path inFile = yaml("registry:\n  basic-auth:\n    user-info: alice:s3cret\n");
    assertThatThrownBy(() -> ConfigLoader.load(inFile, Map.of(), List.of()))
        .hasMessage(
            inFile
                + ": 'registry.basic-auth.user-info' is a secret and must not be written in the file: set"
                + " RISKSTREAM_REGISTRY_BASIC_AUTH_USER_INFO or 'registry.basic-auth.user-info-file: /path/to/file'");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of(), List.of("kafka.properties.sasl.jaas.config=x")))
        .hasMessageContaining("is a secret");

    Path secret = dir.resolve("registry-secret");
    Files.writeString(secret, "bob:hunter2\n");
    Path viaFile = yaml("registry:\n  basic-auth:\n    user-info-file: " + secret + "\n");
    RiskstreamConfig fromFile = RiskstreamConfig.load(viaFile, Map.of(), REQUIRED);
    RiskstreamConfig fromEnv =
        RiskstreamConfig.load(
            null, Map.of("RISKSTREAM_REGISTRY_BASIC_AUTH_USER_INFO", "carol:pw"), REQUIRED);

    Path jaas = dir.resolve("jaas");
    Files.writeString(jaas, "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    Path kafkaSecret = yaml("kafka:\n  properties:\n    sasl.jaas.config-file: " + jaas + "\n");
    assertThat(RiskstreamConfig.load(kafkaSecret, Map.of(), REQUIRED).kafkaProperties())
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    assertThat(fromFile.registry().basicAuthUserInfo()).isEqualTo("bob:hunter2");
    assertThat(fromEnv.registry().basicAuthUserInfo()).isEqualTo("carol:pw");
    assertThat(fromEnv.registry().toString()).doesNotContain("carol");
  }

  @Test
  void unknownRiskstreamEnvironmentVariableFails() {
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("RISKSTREAM_KAFKA_BOOTSTRAP", "x"), List.of()))
        .hasMessageStartingWith(
            "unknown environment variable RISKSTREAM_KAFKA_BOOTSTRAP; did you mean"
                + " 'RISKSTREAM_KAFKA_BOOTSTRAP_SERVERS'?");
  }

  @Test
  void everyKeyHasItsOwnEnvironmentVariable() {
    Set<String> names = new HashSet<>();
    for (ConfigOption<?> option : RiskstreamOptions.all()) {
      assertThat(names.add(ConfigLoader.envName(option.key()))).as(option.key()).isTrue();
    }
    assertThat(names)
        .contains(
            "RISKSTREAM_KAFKA_BOOTSTRAP_SERVERS", "RISKSTREAM_WATERMARKS_MAX_OUT_OF_ORDERNESS");
  }

  @Test
  void passThroughKeysComeFromTheEnvironmentOnePerLine() throws Exception {
    RiskstreamConfig config =
        RiskstreamConfig.load(
            null,
            Map.of(
                "RISKSTREAM_KAFKA_PROPERTIES",
                "security.protocol: SASL_SSL\n"
                    + "sasl.jaas.config: org.apache.kafka.common.security.plain.PlainLoginModule"
                    + " required username=\"u\" password=\"p\";\n",
                "RISKSTREAM_FLINK_PROPERTIES",
                "# restarts\nrestart-strategy.type: fixed-delay\n"),
            REQUIRED);

    assertThat(config.kafkaProperties())
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry(
            "sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\""
                + " password=\"p\";");
    assertThat(config.flinkConfiguration().toMap())
        .containsEntry("restart-strategy.type", "fixed-delay");
    assertThatThrownBy(
            () ->
                RiskstreamConfig.load(
                    null, Map.of("RISKSTREAM_FLINK_PROPERTIES", "no separator here"), REQUIRED))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "environment RISKSTREAM_FLINK_PROPERTIES, line 1: expected 'key: value' (the key"
                + " without 'flink.'), got 'no separator here'");
  }

  @Test
  void aBoundedRunFailsInsteadOfRestartingUnlessAFlinkKeySaysOtherwise() {
    assertThat(withRequired("kafka.bounded=true").flinkConfiguration().toMap())
        .containsEntry("restart-strategy.type", "none");
    assertThat(withRequired().flinkConfiguration().toMap())
        .doesNotContainKey("restart-strategy.type");
    assertThat(
            withRequired("kafka.bounded=true", "flink.restart-strategy.type=fixed-delay")
                .flinkConfiguration()
                .toMap())
        .containsEntry("restart-strategy.type", "fixed-delay");
  }

  @Test
  void aPemPrivateKeyIsASecretAndNotAcceptedInTheFile() throws Exception {
    Path file =
        yaml(
            """
            kafka:
              bootstrap-servers: b:9092
              properties:
                ssl.keystore.key: "-----BEGIN PRIVATE KEY-----"
            registry:
              url: http://r:8081
            """);

    assertThatThrownBy(() -> RiskstreamConfig.load(file, Map.of(), List.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(
            "'kafka.properties.ssl.keystore.key' is a secret and must not be written in the file");
  }

  @Test
  void anEnumeratedKeyTakesOnlyItsValues() {
    assertThat(withRequired("state.backend=HashMap").flinkConfiguration().toMap())
        .containsEntry("state.backend.type", "hashmap");
    assertThatThrownBy(() -> withRequired("state.backend=memory"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "invalid value 'memory' for 'state.backend' (--set): expected one of [rocksdb,"
                + " hashmap]");
  }
}
