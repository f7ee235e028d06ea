package io.capstan.cli;

import java.util.Optional;
import picocli.CommandLine.Option;

/** The options every client command takes. */
public final class ClientOptions {
    @Option(
            names = "--server",
            paramLabel = "URL",
            description = "Capstan server to talk to (default: $CAPSTAN_SERVER, then the config file, then"
                    + " http://127.0.0.1:8900).")
    String server;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            defaultValue = "table",
            description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Output.Format output;

    public Optional<String> server() {
        return Optional.ofNullable(server);
    }

    public Output.Format output() {
        return output;
    }
}
