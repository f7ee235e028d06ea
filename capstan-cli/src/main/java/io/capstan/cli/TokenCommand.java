package io.capstan.cli;

import io.capstan.api.Durations;
import io.capstan.api.Scope;
import io.capstan.api.token.CreateTokenRequest;
import io.capstan.api.token.CreatedToken;
import io.capstan.api.token.TokenView;
import io.capstan.client.CapstanClient;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "token",
        description = "Create, list and revoke API tokens.",
        subcommands = {TokenCommand.Create.class, TokenCommand.ListTokens.class, TokenCommand.Revoke.class})
public final class TokenCommand {
    @Command(
            name = "create",
            description = {
                "Create an API token. It is shown once: store it like a password.",
                "Scopes: read (list and show), clusters (also run computations), admin (also administer)."
            })
    public static final class Create extends ClientCommand {
        @Option(names = "--name", required = true, paramLabel = "NAME", description = "What the token is for.")
        String name;

        @Option(
                names = "--scope",
                paramLabel = "SCOPE",
                description = "read, clusters or admin (default: the scope of the token you use).")
        String scope;

        @Option(
                names = "--expires",
                paramLabel = "DURATION",
                defaultValue = "90d",
                description = "Lifetime, like 12h or 30d, or 'never' (default: ${DEFAULT-VALUE}).")
        String expires;

        @Option(
                names = "--user",
                paramLabel = "NAME",
                description = "Create it for another user (server" + " administrators).")
        String user;

        public Create(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            Optional<Scope> parsedScope = Optional.ofNullable(scope)
                    .map(value -> Scope.fromWireName(value.toLowerCase(Locale.ROOT))
                            .orElseThrow(() ->
                                    new CliException("--scope must be read, clusters or admin, not '" + value + "'")));
            Optional<Instant> expiresAt;
            try {
                expiresAt = Durations.parseOrNever(expires)
                        .map(lifetime -> Instant.now().plus(lifetime));
            } catch (IllegalArgumentException e) {
                throw new CliException("--expires: " + e.getMessage());
            }
            CreateTokenRequest request = new CreateTokenRequest(name, parsedScope, expiresAt);
            CreatedToken created = user == null ? client.createToken(request) : client.createTokenFor(user, request);
            output.print(created, () -> {
                output.line(created.secret());
                terminal.err()
                        .println("Token '" + created.token().name() + "' for "
                                + created.token().username()
                                + ", scope " + created.token().scope().wireName() + ", expires "
                                + Output.time(created.token().expiresAt(), "never")
                                + ". It is shown this once; store it like a password.");
            });
        }
    }

    @Command(name = "list", description = "List tokens: prefix, name, scope and dates; never the token itself.")
    public static final class ListTokens extends ClientCommand {
        @Option(
                names = "--user",
                paramLabel = "NAME",
                description = "Another user's tokens (server" + " administrators).")
        String user;

        public ListTokens(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            List<TokenView> tokens = client.listTokens(Optional.ofNullable(user));
            output.print(
                    tokens,
                    () -> output.table(
                            List.of("ID", "PREFIX", "NAME", "SCOPE", "CREATED", "EXPIRES", "LAST USED", "STATUS"),
                            tokens.stream()
                                    .map(token -> List.of(
                                            token.id(),
                                            token.prefix() + "…",
                                            token.name(),
                                            token.scope().wireName(),
                                            Output.time(token.createdAt()),
                                            Output.time(token.expiresAt(), "never"),
                                            Output.time(token.lastUsedAt(), "never"),
                                            status(token)))
                                    .toList()));
        }

        private static String status(TokenView token) {
            if (token.revokedAt().isPresent()) {
                return "revoked";
            }
            if (token.expiresAt().map(expiry -> expiry.isBefore(Instant.now())).orElse(false)) {
                return "expired";
            }
            return "active";
        }
    }

    @Command(name = "revoke", description = "Revoke a token; it stops working at once.")
    public static final class Revoke extends ClientCommand {
        @Parameters(paramLabel = "ID", description = "The token's id, as shown by 'capstan token list'.")
        String id;

        public Revoke(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            TokenView revoked = client.revokeToken(id);
            output.print(revoked, () -> output.line("Revoked " + revoked.id() + " (" + revoked.name() + ")."));
        }
    }
}
