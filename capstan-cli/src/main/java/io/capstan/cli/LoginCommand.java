package io.capstan.cli;

import io.capstan.api.user.Me;
import io.capstan.client.ClientConfig;
import io.capstan.client.ClientConfigFile;
import io.capstan.client.ClientSettings;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "login",
        description = {
            "Log in to a Capstan server with an API token.",
            "",
            "The token is checked against the server before it is saved. Without --token it is asked for without"
                    + " echo (or read from the first line of standard input when that is not a terminal).",
            "The config file is written with mode 0600 in a folder of mode 0700: $CAPSTAN_CONFIG, else"
                    + " $XDG_CONFIG_HOME/capstan/config.yaml, else ~/.config/capstan/config.yaml."
        })
public final class LoginCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Mixin
    ClientOptions options;

    @Option(
            names = "--username",
            paramLabel = "NAME",
            description = "Expected user; login fails if the token" + " belongs to someone else.")
    String username;

    @Option(
            names = "--token",
            paramLabel = "TOKEN",
            description = "The API token. Prefer the prompt: a token on"
                    + " the command line ends up in shell history and process lists.")
    String token;

    public LoginCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        ClientConfigFile file = ClientConfigFile.locate(terminal.environment());
        ClientConfig saved = file.load();
        String server = options.server()
                .or(() -> Optional.ofNullable(terminal.environment().get("CAPSTAN_SERVER")))
                .or(saved::server)
                .orElse(ClientSettings.DEFAULT_SERVER);
        String secret = Optional.ofNullable(token)
                .or(() -> terminal.readSecret("API token for " + server + ": "))
                .orElseThrow(() -> new CliException("no token given"));
        Me me = ClientCommand.client(server, Optional.of(secret)).me();
        if (username != null && !username.equals(me.user().username())) {
            throw new CliException("the token belongs to '" + me.user().username() + "', not '" + username + "'");
        }
        file.save(new ClientConfig(Optional.of(server), Optional.of(me.user().username()), Optional.of(secret)));
        Output output = new Output(terminal.out(), options.output());
        output.print(
                me,
                () -> output.line("Logged in to " + server + " as " + me.user().username() + " (token '"
                        + me.tokenName() + "', scope " + me.scope().wireName() + "). Saved to " + file.path()));
        return 0;
    }
}
