package io.capstan.server.sharing;

import io.capstan.api.Role;
import io.capstan.api.Visibility;
import io.capstan.server.CapstanException;
import io.capstan.server.account.Account;
import io.capstan.server.account.AccountDao;
import io.capstan.server.account.Membership;
import io.capstan.server.auth.Caller;
import io.capstan.server.internal.Names;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * The visibility rules of shared resources (software environments, cluster configurations, notebooks), in one
 * place. A public resource is visible to every signed-in user; a private one only to members of the account that
 * owns it, and to anyone else it does not exist (the same 404 as an unknown name). Members of the owning account
 * create resources; the creator or an admin of the account changes and deletes them.
 */
public final class Sharing {
    private Sharing() {}

    /** A reference to a resource: {@code name} in the caller's own account, or {@code account/name}. */
    public record Reference(Optional<String> account, String name) {
        public String describe() {
            return account.map(value -> value + "/").orElse("") + name;
        }
    }

    public static Reference parse(String field, String reference) {
        if (reference == null) {
            throw CapstanException.missingField(field);
        }
        int slash = reference.indexOf('/');
        if (slash < 0) {
            if (!Names.isSlug(reference)) {
                throw CapstanException.invalidField(field, "'" + field + "' must be NAME or ACCOUNT/NAME");
            }
            return new Reference(Optional.empty(), reference);
        }
        String account = reference.substring(0, slash);
        String name = reference.substring(slash + 1);
        if (!Names.isSlug(account) || !Names.isSlug(name)) {
            throw CapstanException.invalidField(field, "'" + field + "' must be NAME or ACCOUNT/NAME");
        }
        return new Reference(Optional.of(account), name);
    }

    /** The account a new resource goes to: the one named, which the caller must belong to, or their only one. */
    public static Account owningAccount(Handle handle, Caller caller, Optional<String> accountName) {
        AccountDao accounts = handle.attach(AccountDao.class);
        List<Membership> memberships = accounts.membershipsOf(caller.userId());
        if (accountName.isPresent()) {
            return memberships.stream()
                    .filter(membership -> membership.accountName().equals(accountName.get()))
                    .findFirst()
                    .flatMap(membership -> accounts.findById(membership.accountId()))
                    .orElseThrow(() -> CapstanException.notFound("account '" + accountName.get() + "'"));
        }
        if (memberships.size() != 1) {
            throw CapstanException.invalidField(
                    "account",
                    memberships.isEmpty()
                            ? "you are not a member of any account; ask an administrator to add you to one"
                            : "you belong to several accounts; say which one with 'account'");
        }
        return accounts.findById(memberships.get(0).accountId()).orElseThrow();
    }

    /** Which account a reference points into: the one it names, else {@code defaultAccount}. */
    public static Optional<Account> referencedAccount(Handle handle, Reference reference, Account defaultAccount) {
        if (reference.account().isEmpty()) {
            return Optional.of(defaultAccount);
        }
        return handle.attach(AccountDao.class).findByName(reference.account().get());
    }

    public static boolean isMember(Handle handle, Caller caller, String accountId) {
        return handle.attach(AccountDao.class)
                .findMembership(accountId, caller.userId())
                .isPresent();
    }

    public static boolean isVisible(Handle handle, Caller caller, String accountId, Visibility visibility) {
        return visibility == Visibility.PUBLIC || isMember(handle, caller, accountId);
    }

    /** Refuses unless the caller created the resource or administers its account. */
    public static void requireManager(Handle handle, Caller caller, String accountId, String creatorId, String what) {
        Optional<Membership> membership = handle.attach(AccountDao.class).findMembership(accountId, caller.userId());
        if (membership.isEmpty()) {
            throw CapstanException.forbidden("only members of its account may change " + what);
        }
        if (membership.get().role() != Role.ADMIN && !creatorId.equals(caller.userId())) {
            throw CapstanException.forbidden("only its creator or an admin of its account may change " + what);
        }
    }

    /** The caller's accounts, by id, for listing what they may see. */
    public static List<String> accountIds(Handle handle, Caller caller) {
        return handle.attach(AccountDao.class).membershipsOf(caller.userId()).stream()
                .map(Membership::accountId)
                .toList();
    }
}
