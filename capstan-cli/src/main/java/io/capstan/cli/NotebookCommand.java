package io.capstan.cli;

import io.capstan.api.Json;
import io.capstan.api.Visibility;
import io.capstan.api.notebook.NotebookView;
import io.capstan.api.notebook.PushNotebookRequest;
import io.capstan.api.notebook.UpdateNotebookRequest;
import io.capstan.client.CapstanClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

@Command(
        name = "notebook",
        description = "Share Jupyter notebooks (.ipynb, at most 5 MiB). Public unless pushed with --private.",
        subcommands = {
            NotebookCommand.Push.class,
            NotebookCommand.ListNotebooks.class,
            NotebookCommand.Pull.class,
            NotebookCommand.Update.class,
            NotebookCommand.Delete.class
        })
public final class NotebookCommand {
    @Command(name = "push", description = "Upload a notebook; pushing the same name again replaces it.")
    public static final class Push extends ClientCommand {
        @Parameters(paramLabel = "FILE")
        Path file;

        @Option(
                names = "--name",
                paramLabel = "NAME",
                description = "Name to store it under (default: the file's" + " name without .ipynb, in lowercase).")
        String name;

        @Option(names = "--private", description = "Only members of the account see it.")
        boolean privately;

        @Option(names = "--account", paramLabel = "NAME", description = "The account that owns it.")
        String account;

        public Push(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            JsonNode notebook;
            try {
                notebook = Json.lenient().readTree(Files.readAllBytes(file));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            } catch (JacksonException e) {
                throw new CliException(file + " is not a notebook: it is not valid JSON");
            }
            String stored = Optional.ofNullable(name)
                    .orElseGet(() -> file.getFileName()
                            .toString()
                            .replaceAll("\\.ipynb$", "")
                            .toLowerCase(java.util.Locale.ROOT)
                            .replaceAll("[^a-z0-9-]", "-"));
            String owner = Optional.ofNullable(account)
                    .orElseGet(() -> SharedReference.ownAccount(client, "--account, or write ACCOUNT/NAME"));
            NotebookView pushed = client.pushNotebook(
                    owner,
                    stored,
                    new PushNotebookRequest(privately ? Optional.of(Visibility.PRIVATE) : Optional.empty(), notebook));
            output.print(
                    pushed,
                    () -> output.line("Pushed " + pushed.account() + "/" + pushed.name() + " (" + pushed.cells()
                            + " cells, " + pushed.visibility().wireName() + ")."));
        }
    }

    @Command(name = "list", description = "List the notebooks you may read.")
    public static final class ListNotebooks extends ClientCommand {
        public ListNotebooks(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            List<NotebookView> notebooks = client.listNotebooks();
            output.print(
                    notebooks,
                    () -> output.table(
                            List.of("NAME", "VISIBILITY", "CELLS", "SIZE", "CREATOR", "UPDATED"),
                            notebooks.stream()
                                    .map(notebook -> List.of(
                                            notebook.account() + "/" + notebook.name(),
                                            notebook.visibility().wireName(),
                                            Integer.toString(notebook.cells()),
                                            io.capstan.client.DataSizes.format(notebook.sizeBytes()),
                                            notebook.creator(),
                                            Output.time(notebook.updatedAt())))
                                    .toList()));
        }
    }

    @Command(name = "pull", description = "Download a notebook.")
    public static final class Pull extends ClientCommand {
        @Parameters(paramLabel = "[ACCOUNT/]NAME")
        String reference;

        @Option(names = "--to", paramLabel = "FILE", description = "Where to write it (default: NAME.ipynb).")
        Path target;

        public Pull(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            SharedReference found = SharedReference.resolve(client, reference, Optional.empty());
            byte[] content = client.pullNotebook(found.account(), found.name());
            Path file = Optional.ofNullable(target).orElse(Path.of(found.name() + ".ipynb"));
            try {
                Files.write(file, content);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
            output.print(Map.of("file", file.toString()), () -> output.line("Wrote " + file + "."));
        }
    }

    @Command(name = "update", description = "Make a notebook public or private.")
    public static final class Update extends ClientCommand {
        @Parameters(paramLabel = "[ACCOUNT/]NAME")
        String reference;

        @Option(names = "--public")
        boolean publicly;

        @Option(names = "--private")
        boolean privately;

        public Update(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            SharedReference found = SharedReference.resolve(client, reference, Optional.empty());
            NotebookView updated = client.updateNotebook(
                    found.account(),
                    found.name(),
                    new UpdateNotebookRequest(EnvironmentCommand.visibility(publicly, privately)));
            output.print(
                    updated,
                    () -> output.line("Notebook " + updated.account() + "/" + updated.name() + " is "
                            + updated.visibility().wireName() + "."));
        }
    }

    @Command(name = "delete", description = "Delete a notebook.")
    public static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "[ACCOUNT/]NAME")
        String reference;

        public Delete(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            SharedReference found = SharedReference.resolve(client, reference, Optional.empty());
            client.deleteNotebook(found.account(), found.name());
            output.print(
                    Map.of("deleted", found.account() + "/" + found.name()),
                    () -> output.line("Deleted notebook " + found.account() + "/" + found.name() + "."));
        }
    }
}
