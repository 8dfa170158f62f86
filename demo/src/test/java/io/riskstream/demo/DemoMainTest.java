package io.riskstream.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DemoMainTest {
  @Test
  void theDemoJarRunsTheRealDemoAndBrokerBesideEveryOtherCommand() {
    CommandLine cli = DemoMain.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));

    assertThat((Object) cli.getSubcommands().get("demo").getCommand())
        .isInstanceOf(DemoCommand.class);
    assertThat((Object) cli.getSubcommands().get("broker").getCommand())
        .isInstanceOf(BrokerCommand.class);
    assertThat(cli.getSubcommands().keySet())
        .contains("detect", "backtest", "sink", "notify", "generate", "produce");
    // The real demo checks its options before starting anything.
    assertThat(cli.execute("demo", "--duration", "1s")).isEqualTo(2);
    assertThat(err.toString().strip()).isEqualTo("riskstream demo: --duration must be at least 5s");
  }

  @Test
  void aFlagThatDoesNotConvertIsOneLineNotTheWholeUsage() {
    CommandLine cli = DemoMain.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));

    assertThat(cli.execute("demo", "--rate", "abc")).isEqualTo(2);
    assertThat(err.toString().strip())
        .isEqualTo(
            "riskstream demo: Invalid value for option '--rate': 'abc' is not an int"
                + " (see riskstream demo --help)");
  }
}
