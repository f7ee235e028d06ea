package io.capstan.cli;

import io.capstan.api.privacy.DataCategory;
import io.capstan.api.privacy.PrivacyReport;
import io.capstan.client.CapstanClient;
import picocli.CommandLine.Command;

@Command(
        name = "privacy",
        description = "What the server stores about you: each category of data, where it is, how it is encrypted,"
                + " how long it is kept, and how many records concern you.")
public final class PrivacyCommand extends ClientCommand {
    public PrivacyCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    protected void run(CapstanClient client, Output output) {
        PrivacyReport report = client.privacy();
        output.print(report, () -> {
            output.line("What " + client.server() + " stores about " + report.user() + ":");
            for (DataCategory category : report.categories()) {
                output.line("");
                output.line(category.name() + " (" + category.yourRecords()
                        + (category.yourRecords() == 1 ? " record" : " records") + " about you)");
                output.line("  what:       " + category.description());
                output.line("  where:      " + category.location());
                output.line("  encryption: " + category.encryption());
                output.line("  retention:  " + category.retention());
            }
            output.line("");
            output.line(report.deletion());
        });
    }
}
