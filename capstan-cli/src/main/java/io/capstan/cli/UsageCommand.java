package io.capstan.cli;

import io.capstan.api.telemetry.AccountUsage;
import io.capstan.client.CapstanClient;
import io.capstan.client.DataSizes;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "usage",
        description = {
            "What your accounts' clusters computed, over all their runs: clusters run, worker-hours, tasks, peak"
                    + " memory. Counts every cluster observed since the start of the period.",
            "For an account's quota and what it uses now, see 'capstan account usage NAME'."
        })
public final class UsageCommand extends ClientCommand {
    @Option(
            names = "--since",
            paramLabel = "DURATION",
            defaultValue = "30d",
            description = "The period, ending now (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--account", paramLabel = "NAME", description = "Only this account.")
    Optional<String> account = Optional.empty();

    public UsageCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    protected void run(CapstanClient client, Output output) {
        List<AccountUsage> usage = client.computeUsage(account, since);
        output.print(
                usage,
                () -> output.table(
                        List.of("ACCOUNT", "CLUSTERS", "WORKER-HOURS", "TASKS", "ERRED", "PEAK MEMORY"),
                        usage.stream()
                                .map(row -> List.of(
                                        row.account(),
                                        Integer.toString(row.clustersRun()),
                                        String.format(Locale.ROOT, "%.2f", row.workerHours()),
                                        Long.toString(row.tasksCompleted()),
                                        Long.toString(row.tasksErred()),
                                        row.peakMemoryBytes()
                                                .map(DataSizes::format)
                                                .orElse("-")))
                                .toList()));
    }
}
