package io.capstan.cli;

import io.capstan.api.user.MembershipView;
import io.capstan.client.CapstanClient;
import java.util.List;
import java.util.Optional;

/** {@code ACCOUNT/NAME}, or {@code NAME} in the user's own account (the one given, or their only one). */
record SharedReference(String account, String name) {
    static SharedReference resolve(CapstanClient client, String reference, Optional<String> account) {
        int slash = reference.indexOf('/');
        if (slash >= 0) {
            return new SharedReference(reference.substring(0, slash), reference.substring(slash + 1));
        }
        return new SharedReference(
                account.orElseGet(() -> ownAccount(client, "--account, or write ACCOUNT/NAME")), reference);
    }

    /** The caller's only account; otherwise an error that says to choose one with {@code howToChoose}. */
    static String ownAccount(CapstanClient client, String howToChoose) {
        List<MembershipView> memberships = client.me().user().memberships();
        if (memberships.size() != 1) {
            throw new CliException(
                    memberships.isEmpty()
                            ? "you are not a member of any account; ask an administrator to add you to one"
                            : "you belong to several accounts; say which one with " + howToChoose);
        }
        return memberships.get(0).account();
    }
}
