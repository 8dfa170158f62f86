package io.riskstream.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.riskstream.detect.DetectJob;
import org.junit.jupiter.api.Test;

/** The boundaries a reader of the code relies on, checked on the compiled classes. */
class ArchitectureTest {
  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
          .importPackages("io.riskstream");
  private static final JavaClasses TESTS =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
          .importPackages("io.riskstream");

  @Test
  void detectorsAndTheReconciliationKnowNothingOfTheirInputsAndOutputs() {
    // DetectJob is the one class of the two packages that wires Kafka to a workflow.
    noClasses()
        .that()
        .resideInAnyPackage("io.riskstream.detect..", "io.riskstream.reconcile..")
        .and()
        .doNotBelongToAnyOf(DetectJob.class)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.riskstream.kafka..",
            "io.riskstream.sink..",
            "io.riskstream.notify..",
            "io.riskstream.cli..",
            "org.apache.flink.connector..",
            "org.apache.kafka..")
        .check(PRODUCTION);
  }

  @Test
  void onlyTheCommandLineEndsTheProcess() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.riskstream.cli..")
        .should()
        .callMethod(System.class, "exit", int.class)
        .because("Flink may run main() inside its JobManager, which System.exit would take down")
        .check(PRODUCTION);
  }

  @Test
  void productionCodeUsesNoTestInfrastructure() {
    noClasses()
        .that()
        .resideOutsideOfPackage("io.riskstream.testkit..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.riskstream.testkit..",
            "kafka.server..",
            "org.apache.kafka.server..",
            "io.zonky..",
            "org.junit..",
            "org.apache.flink.streaming.util..")
        .check(PRODUCTION);
  }

  @Test
  void testsUseJUnit5Only() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.junit", "junit..")
        .because("JUnit 4 tests would not run: the build runs the JUnit Platform only")
        .check(TESTS);
  }
}
