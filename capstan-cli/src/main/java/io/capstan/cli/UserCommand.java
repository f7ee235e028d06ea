package io.capstan.cli;

import io.capstan.api.user.CreateUserRequest;
import io.capstan.api.user.UserView;
import io.capstan.client.CapstanClient;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "user",
        description = "Manage users (server administrators).",
        subcommands = {UserCommand.Create.class, UserCommand.ListUsers.class})
public final class UserCommand {
    @Command(
            name = "create",
            description = "Create a user. Give them a token with 'capstan token create --user NAME --name ...'.")
    public static final class Create extends ClientCommand {
        @Parameters(paramLabel = "USERNAME", description = "Lowercase letters, digits and hyphens.")
        String username;

        @Option(names = "--email", required = true, paramLabel = "ADDRESS")
        String email;

        @Option(names = "--server-admin", description = "Make the user a server administrator.")
        boolean serverAdmin;

        public Create(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            UserView user = client.createUser(new CreateUserRequest(username, email, serverAdmin));
            output.print(user, () -> output.line("Created user " + user.username() + "."));
        }
    }

    @Command(name = "list", description = "List users.")
    public static final class ListUsers extends ClientCommand {
        public ListUsers(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            List<UserView> users = client.listUsers();
            output.print(
                    users,
                    () -> output.table(
                            List.of("USERNAME", "EMAIL", "SERVER ADMIN", "ACCOUNTS", "CREATED"),
                            users.stream()
                                    .map(user -> List.of(
                                            user.username(),
                                            user.email(),
                                            user.serverAdmin() ? "yes" : "no",
                                            user.memberships().stream()
                                                    .map(m -> m.account() + ":"
                                                            + m.role().wireName())
                                                    .collect(Collectors.joining(",")),
                                            Output.time(user.createdAt())))
                                    .toList()));
        }
    }
}
