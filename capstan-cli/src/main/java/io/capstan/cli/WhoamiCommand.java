package io.capstan.cli;

import io.capstan.api.user.Me;
import io.capstan.client.CapstanClient;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

@Command(name = "whoami", description = "Show who you are logged in as, your accounts and your token's scope.")
public final class WhoamiCommand extends ClientCommand {
    public WhoamiCommand(Terminal terminal) {
        super(terminal);
    }

    @Override
    protected void run(CapstanClient client, Output output) {
        Me me = client.me();
        output.print(me, () -> {
            output.line(me.user().username() + (me.user().serverAdmin() ? " (server administrator)" : "") + " on "
                    + client.server());
            output.line("accounts: "
                    + (me.user().memberships().isEmpty()
                            ? "none"
                            : me.user().memberships().stream()
                                    .map(m -> m.account() + " (" + m.role().wireName() + ")")
                                    .collect(Collectors.joining(", "))));
            output.line("token:    " + me.tokenName() + ", scope " + me.scope().wireName() + ", expires "
                    + Output.time(me.tokenExpiresAt(), "never"));
        });
    }
}
