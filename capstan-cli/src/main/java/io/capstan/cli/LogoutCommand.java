package io.capstan.cli;

import io.capstan.client.CapstanApiException;
import io.capstan.client.ClientConfig;
import io.capstan.client.ClientConfigFile;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "logout", description = "Remove the saved token from the config file (the server and username stay).")
public final class LogoutCommand implements Callable<Integer> {
    private final Terminal terminal;

    @Option(names = "--revoke", description = "Also revoke the token on the server, so it stops working everywhere.")
    boolean revoke;

    public LogoutCommand(Terminal terminal) {
        this.terminal = terminal;
    }

    @Override
    public Integer call() {
        ClientConfigFile file = ClientConfigFile.locate(terminal.environment());
        ClientConfig saved = file.load();
        if (saved.token().isEmpty()) {
            terminal.out().println("Not logged in.");
            return 0;
        }
        if (revoke) {
            var client = ClientCommand.client(
                    saved.server().orElse(io.capstan.client.ClientSettings.DEFAULT_SERVER), saved.token());
            try {
                String id = client.me().tokenId();
                client.revokeToken(id);
                terminal.out().println("Revoked token " + id + ".");
            } catch (CapstanApiException e) {
                terminal.err().println("capstan: warning: could not revoke the token: " + e.getMessage());
            }
        }
        file.save(saved.withoutToken());
        terminal.out().println("Logged out; the token was removed from " + file.path() + ".");
        return 0;
    }
}
