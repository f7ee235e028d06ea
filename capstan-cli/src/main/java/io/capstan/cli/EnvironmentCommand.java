package io.capstan.cli;

import io.capstan.api.Visibility;
import io.capstan.api.environment.CreateEnvironmentRequest;
import io.capstan.api.environment.EnvironmentView;
import io.capstan.api.environment.PackagePin;
import io.capstan.api.environment.UpdateEnvironmentRequest;
import io.capstan.client.CapstanClient;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "env",
        description = {
            "Software environments: what clusters run. On this server's machine a Python interpreter with Dask; in"
                    + " container backends an image. Public unless made private: then only your account sees them.",
            "Use one with 'capstan cluster create --env NAME' (or ACCOUNT/NAME for another account's public one)."
        },
        subcommands = {
            EnvironmentCommand.Create.class,
            EnvironmentCommand.ListEnvironments.class,
            EnvironmentCommand.Show.class,
            EnvironmentCommand.Update.class,
            EnvironmentCommand.Delete.class
        })
public final class EnvironmentCommand {
    @Command(name = "create", description = "Create an environment.")
    public static final class Create extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(
                names = "--python",
                paramLabel = "PATH",
                description = "Absolute path of a Python interpreter that" + " has Dask, on the server's machine.")
        String python;

        @Option(
                names = "--image",
                paramLabel = "REFERENCE",
                description = "Container image reference, for" + " container backends.")
        String image;

        @Option(
                names = "--package",
                paramLabel = "NAME==VERSION",
                description = "A package pin (metadata); repeat" + " for more.")
        List<String> packages = List.of();

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
            EnvironmentView created = client.createEnvironment(new CreateEnvironmentRequest(
                    name,
                    Optional.ofNullable(account),
                    Optional.ofNullable(python),
                    Optional.ofNullable(image),
                    Optional.of(pins(packages)),
                    Optional.ofNullable(description),
                    privately ? Optional.of(Visibility.PRIVATE) : Optional.empty()));
            output.print(
                    created,
                    () -> output.line("Created environment " + created.account() + "/" + created.name() + " ("
                            + created.visibility().wireName() + ")."));
        }
    }

    @Command(name = "list", description = "List the environments you may use.")
    public static final class ListEnvironments extends ClientCommand {
        public ListEnvironments(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            List<EnvironmentView> environments = client.listEnvironments();
            output.print(
                    environments,
                    () -> output.table(
                            List.of("NAME", "VISIBILITY", "RUNS", "PACKAGES", "CREATOR"),
                            environments.stream()
                                    .map(environment -> List.of(
                                            environment.account() + "/" + environment.name(),
                                            environment.visibility().wireName(),
                                            environment
                                                    .pythonExecutable()
                                                    .or(environment::image)
                                                    .orElse("-"),
                                            Integer.toString(
                                                    environment.packages().size()),
                                            environment.creator()))
                                    .toList()));
        }
    }

    @Command(name = "show", description = "Show an environment.")
    public static final class Show extends ClientCommand {
        @Parameters(paramLabel = "[ACCOUNT/]NAME")
        String reference;

        public Show(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            SharedReference found = SharedReference.resolve(client, reference, Optional.empty());
            EnvironmentView environment = client.showEnvironment(found.account(), found.name());
            output.print(environment, () -> {
                output.line("environment " + environment.account() + "/" + environment.name() + " ("
                        + environment.visibility().wireName() + "), created by " + environment.creator());
                environment.pythonExecutable().ifPresent(python -> output.line("python:   " + python));
                environment.image().ifPresent(image -> output.line("image:    " + image));
                output.line("packages: "
                        + environment.packages().stream()
                                .map(pin -> pin.name() + pin.version())
                                .collect(Collectors.joining(", ")));
                environment.description().ifPresent(text -> output.line(text));
            });
        }
    }

    @Command(name = "update", description = "Change an environment's visibility, description or packages.")
    public static final class Update extends ClientCommand {
        @Parameters(paramLabel = "[ACCOUNT/]NAME")
        String reference;

        @Option(names = "--public", description = "Everyone on this server may use it.")
        boolean publicly;

        @Option(names = "--private", description = "Only members of its account may use it.")
        boolean privately;

        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        @Option(names = "--package", paramLabel = "NAME==VERSION", description = "Replace the package pins.")
        List<String> packages;

        public Update(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            SharedReference found = SharedReference.resolve(client, reference, Optional.empty());
            EnvironmentView updated = client.updateEnvironment(
                    found.account(),
                    found.name(),
                    new UpdateEnvironmentRequest(
                            visibility(publicly, privately),
                            Optional.ofNullable(description),
                            Optional.ofNullable(packages).map(EnvironmentCommand::pins)));
            output.print(
                    updated,
                    () -> output.line("Environment " + updated.account() + "/" + updated.name() + " is "
                            + updated.visibility().wireName() + "."));
        }
    }

    @Command(name = "delete", description = "Delete an environment; clusters running with it keep running.")
    public static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "[ACCOUNT/]NAME")
        String reference;

        public Delete(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            SharedReference found = SharedReference.resolve(client, reference, Optional.empty());
            client.deleteEnvironment(found.account(), found.name());
            output.print(
                    java.util.Map.of("deleted", found.account() + "/" + found.name()),
                    () -> output.line("Deleted environment " + found.account() + "/" + found.name() + "."));
        }
    }

    static Optional<Visibility> visibility(boolean publicly, boolean privately) {
        if (publicly && privately) {
            throw new CliException("give --public or --private, not both");
        }
        return publicly
                ? Optional.of(Visibility.PUBLIC)
                : privately ? Optional.of(Visibility.PRIVATE) : Optional.empty();
    }

    static List<PackagePin> pins(List<String> packages) {
        return packages.stream()
                .map(spec -> {
                    int split = indexOfOperator(spec);
                    if (split <= 0 || split == spec.length() - 1) {
                        throw new CliException(
                                "--package must be NAME==VERSION (or NAME>=VERSION), not '" + spec + "'");
                    }
                    return new PackagePin(spec.substring(0, split), spec.substring(split));
                })
                .toList();
    }

    private static int indexOfOperator(String spec) {
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            if (c == '<' || c == '>' || c == '=' || c == '~' || c == '!') {
                return i;
            }
        }
        return -1;
    }
}
