package io.capstan.cli;

import static java.util.Objects.requireNonNull;

import io.capstan.client.CapstanClient;
import io.capstan.client.ClientConfigFile;
import io.capstan.client.ClientSettings;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** A command that talks to a server as the logged-in user. */
public abstract class ClientCommand implements Callable<Integer> {
    protected final Terminal terminal;

    @Mixin
    protected ClientOptions options;

    protected ClientCommand(Terminal terminal) {
        this.terminal = requireNonNull(terminal, "terminal is null");
    }

    protected abstract void run(CapstanClient client, Output output);

    @Override
    public Integer call() {
        ClientSettings settings = settings();
        String token = settings.token()
                .orElseThrow(() -> new CliException("not logged in: run 'capstan login' (or set CAPSTAN_TOKEN)"));
        run(client(settings.serverOrDefault(), Optional.of(token)), output());
        return 0;
    }

    protected ClientSettings settings() {
        return ClientSettings.resolve(terminal.environment(), configFile(), options.server());
    }

    protected ClientConfigFile configFile() {
        return ClientConfigFile.locate(terminal.environment());
    }

    protected Output output() {
        return new Output(terminal.out(), options.output());
    }

    protected static CapstanClient client(String server, Optional<String> token) {
        URI uri;
        try {
            uri = URI.create(server);
        } catch (IllegalArgumentException e) {
            throw new CliException("'" + server + "' is not a URL; give it like http://127.0.0.1:8900");
        }
        if (uri.getScheme() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new CliException("'" + server + "' is not an http(s) URL; give it like http://127.0.0.1:8900");
        }
        return CapstanClient.create(uri, token);
    }
}
