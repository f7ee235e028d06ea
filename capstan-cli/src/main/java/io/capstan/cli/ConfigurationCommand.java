package io.capstan.cli;

import io.capstan.api.Durations;
import io.capstan.api.Visibility;
import io.capstan.api.configuration.ClusterOptions;
import io.capstan.api.configuration.ConfigurationView;
import io.capstan.api.configuration.CreateConfigurationRequest;
import io.capstan.api.configuration.UpdateConfigurationRequest;
import io.capstan.client.CapstanClient;
import io.capstan.client.DataSizes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "config",
        description = {
            "Cluster configurations: named sets of cluster options. Public unless made private.",
            "Use one with 'capstan cluster create --config NAME' (or ACCOUNT/NAME); flags given there override it."
        },
        subcommands = {
            ConfigurationCommand.Create.class,
            ConfigurationCommand.ListConfigurations.class,
            ConfigurationCommand.Show.class,
            ConfigurationCommand.Update.class,
            ConfigurationCommand.Delete.class
        })
public final class ConfigurationCommand {
    /** The cluster options a configuration can fix, as flags. */
    static final class OptionFlags {
        @Option(names = "--workers", paramLabel = "N")
        Integer workers;

        @Option(names = "--threads", paramLabel = "N", description = "Threads per worker.")
        Integer threads;

        @Option(names = "--memory", paramLabel = "SIZE", description = "Memory per worker, like 4GiB.")
        String memory;

        @Option(names = "--idle-timeout", paramLabel = "DURATION", description = "Like 20m.")
        String idleTimeout;

        @Option(names = "--max-lifetime", paramLabel = "DURATION", description = "Like 8h.")
        String maxLifetime;

        @Option(names = "--env", paramLabel = "[ACCOUNT/]NAME", description = "Software environment.")
        String environment;

        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label; repeat for more.")
        List<String> labels;

        ClusterOptions options() {
            try {
                return new ClusterOptions(
                        Optional.ofNullable(workers),
                        Optional.ofNullable(threads),
                        Optional.ofNullable(memory).map(DataSizes::parse),
                        Optional.ofNullable(idleTimeout)
                                .map(value -> Durations.parse(value).toSeconds()),
                        Optional.ofNullable(maxLifetime)
                                .map(value -> Durations.parse(value).toSeconds()),
                        Optional.ofNullable(environment),
                        Optional.ofNullable(labels).map(ConfigurationCommand::labels));
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
        }
    }

    @Command(name = "create", description = "Create a cluster configuration.")
    public static final class Create extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @picocli.CommandLine.Mixin
        OptionFlags flags = new OptionFlags();

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        @Option(names = "--private", description = "Only members of the account see it.")
        boolean privately;

        @Option(names = "--account", paramLabel = "NAME", description = "The account that owns it.")
        String account;

        public Create(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            ConfigurationView created = client.createConfiguration(new CreateConfigurationRequest(
                    name,
                    Optional.ofNullable(account),
                    flags.options(),
                    Optional.ofNullable(description),
                    privately ? Optional.of(Visibility.PRIVATE) : Optional.empty()));
            output.print(
                    created,
                    () -> output.line("Created configuration " + created.account() + "/" + created.name() + " ("
                            + created.visibility().wireName() + ")."));
        }
    }

    @Command(name = "list", description = "List the configurations you may use.")
    public static final class ListConfigurations extends ClientCommand {
        public ListConfigurations(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            List<ConfigurationView> configurations = client.listConfigurations();
            output.print(
                    configurations,
                    () -> output.table(
                            List.of("NAME", "VISIBILITY", "WORKERS", "ENVIRONMENT", "CREATOR"),
                            configurations.stream()
                                    .map(configuration -> List.of(
                                            configuration.account() + "/" + configuration.name(),
                                            configuration.visibility().wireName(),
                                            configuration
                                                    .options()
                                                    .workers()
                                                    .map(String::valueOf)
                                                    .orElse("-"),
                                            configuration
                                                    .options()
                                                    .environment()
                                                    .orElse("-"),
                                            configuration.creator()))
                                    .toList()));
        }
    }

    @Command(name = "show", description = "Show a configuration.")
    public static final class Show extends ClientCommand {
        @Parameters(paramLabel = "[ACCOUNT/]NAME")
        String reference;

        public Show(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            SharedReference found = SharedReference.resolve(client, reference, Optional.empty());
            ConfigurationView configuration = client.showConfiguration(found.account(), found.name());
            output.print(configuration, () -> {
                output.line("configuration " + configuration.account() + "/" + configuration.name() + " ("
                        + configuration.visibility().wireName() + "), created by " + configuration.creator());
                output.line("options: " + io.capstan.api.Json.lenient().writeValueAsString(configuration.options()));
            });
        }
    }

    @Command(name = "update", description = "Change a configuration's visibility, description or options.")
    public static final class Update extends ClientCommand {
        @Parameters(paramLabel = "[ACCOUNT/]NAME")
        String reference;

        @Option(names = "--public")
        boolean publicly;

        @Option(names = "--private")
        boolean privately;

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        public Update(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            SharedReference found = SharedReference.resolve(client, reference, Optional.empty());
            ConfigurationView updated = client.updateConfiguration(
                    found.account(),
                    found.name(),
                    new UpdateConfigurationRequest(
                            EnvironmentCommand.visibility(publicly, privately),
                            Optional.ofNullable(description),
                            Optional.empty()));
            output.print(
                    updated,
                    () -> output.line("Configuration " + updated.account() + "/" + updated.name() + " is "
                            + updated.visibility().wireName() + "."));
        }
    }

    @Command(name = "delete", description = "Delete a configuration.")
    public static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "[ACCOUNT/]NAME")
        String reference;

        public Delete(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            SharedReference found = SharedReference.resolve(client, reference, Optional.empty());
            client.deleteConfiguration(found.account(), found.name());
            output.print(
                    Map.of("deleted", found.account() + "/" + found.name()),
                    () -> output.line("Deleted configuration " + found.account() + "/" + found.name() + "."));
        }
    }

    static Map<String, String> labels(List<String> given) {
        Map<String, String> labels = new java.util.LinkedHashMap<>();
        for (String label : given) {
            int equals = label.indexOf('=');
            if (equals <= 0) {
                throw new CliException("--label must be KEY=VALUE, not '" + label + "'");
            }
            labels.put(label.substring(0, equals), label.substring(equals + 1));
        }
        return labels;
    }
}
