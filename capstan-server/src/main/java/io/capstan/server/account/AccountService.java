package io.capstan.server.account;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Role;
import io.capstan.api.account.AccountView;
import io.capstan.api.account.CreateAccountRequest;
import io.capstan.api.account.MemberView;
import io.capstan.api.account.Quota;
import io.capstan.api.account.SetMemberRequest;
import io.capstan.api.account.SetQuotaRequest;
import io.capstan.api.account.UsageView;
import io.capstan.api.aws.AwsRoleView;
import io.capstan.api.aws.SetAwsRoleRequest;
import io.capstan.server.CapstanException;
import io.capstan.server.auth.Caller;
import io.capstan.server.awscredentials.AwsCredentialsDao;
import io.capstan.server.awscredentials.AwsRoleSessions;
import io.capstan.server.cluster.ClusterDao;
import io.capstan.server.internal.Ids;
import io.capstan.server.internal.Names;
import io.capstan.server.keyring.Keyring;
import io.capstan.server.logstore.LogEntryDao;
import io.capstan.server.privacy.StoredData;
import io.capstan.server.store.Database;
import io.capstan.server.user.User;
import io.capstan.server.user.UserDao;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Accounts (teams) and their members. Server administrators create accounts; server administrators and the
 * account's own admins manage its members. To anyone who is neither a member nor a server administrator an
 * account does not exist. Thread-safe.
 */
public final class AccountService {
    /** What this store keeps, for the privacy report. */
    public static final StoredData STORED_DATA = new StoredData(
            "Account metadata",
            "The accounts you belong to: name, quotas, members and their roles, the AWS role their clusters may"
                    + " assume and its session policy",
            List.of("accounts", "memberships"),
            List.of(),
            StoredData.Retention.untilDeletedByHand(),
            "SELECT COUNT(*) FROM memberships WHERE user_id = :user");

    private final Jdbi jdbi;
    private final Keyring keyring;
    private final Quota defaultQuota;
    private final Quota quotaCeiling;
    private final Clock clock;

    public AccountService(Jdbi jdbi, Keyring keyring, Quota defaultQuota, Quota quotaCeiling, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.keyring = requireNonNull(keyring, "keyring is null");
        this.defaultQuota = requireNonNull(defaultQuota, "defaultQuota is null");
        this.quotaCeiling = requireNonNull(quotaCeiling, "quotaCeiling is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public AccountView create(Caller caller, CreateAccountRequest request) {
        if (!caller.isServerAdmin()) {
            throw CapstanException.forbidden("only server administrators create accounts");
        }
        String name = Names.requireSlug("name", request.name());
        Account account = new Account(
                Ids.newId("acc"),
                name,
                clock.instant(),
                defaultQuota.clusters(),
                defaultQuota.workers(),
                defaultQuota.cores());
        try {
            return jdbi.inTransaction(handle -> {
                AccountDao accounts = handle.attach(AccountDao.class);
                if (accounts.findByName(name).isPresent()) {
                    throw CapstanException.alreadyExists("account '" + name + "' already exists");
                }
                accounts.insert(account);
                return view(handle, account);
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                throw CapstanException.alreadyExists("account '" + name + "' already exists");
            }
            throw e;
        }
    }

    public List<AccountView> list(Caller caller) {
        return jdbi.withHandle(handle -> {
            AccountDao accounts = handle.attach(AccountDao.class);
            List<Account> visible = caller.isServerAdmin() ? accounts.list() : accounts.listForUser(caller.userId());
            return visible.stream().map(account -> view(handle, account)).toList();
        });
    }

    public AccountView show(Caller caller, String name) {
        return jdbi.withHandle(handle -> view(handle, visibleAccount(handle, caller, name)));
    }

    /**
     * Deletes an account with everything it owns, then destroys its data key: whatever of it remains in any copy of
     * the database, backups included, can no longer be decrypted. Server administrators only.
     */
    public void delete(Caller caller, String name) {
        Account account = jdbi.inTransaction(handle -> {
            Account found = visibleAccount(handle, caller, name);
            if (!caller.isServerAdmin()) {
                throw CapstanException.forbidden("only server administrators delete accounts");
            }
            long active = handle.createQuery("SELECT count(*) FROM clusters WHERE account_id = :account AND state IN"
                            + " ('PENDING', 'STARTING', 'RUNNING', 'SCALING', 'STOPPING')")
                    .bind("account", found.id())
                    .mapTo(Long.class)
                    .one();
            if (active > 0) {
                throw CapstanException.invalidState("account '" + name + "' has " + active + " active clusters; stop"
                        + " them before deleting the account");
            }
            handle.attach(LogEntryDao.class).deleteAccount(found.id());
            for (String table : List.of("telemetry_samples", "telemetry_summaries")) {
                handle.createUpdate("DELETE FROM " + table + " WHERE account_id = :account")
                        .bind("account", found.id())
                        .execute();
            }
            handle.createUpdate("DELETE FROM log_cursors WHERE cluster_id IN (SELECT id FROM clusters WHERE account_id"
                            + " = :account)")
                    .bind("account", found.id())
                    .execute();
            handle.attach(AccountDao.class).delete(found.id());
            return found;
        });
        keyring.destroy(account.id());
    }

    /**
     * Changes an account's quota; server administrators and the account's own admins may, within the server's
     * ceiling. Clusters already running keep running; the new quota holds for what comes next.
     */
    public AccountView setQuota(Caller caller, String name, SetQuotaRequest request) {
        return jdbi.inTransaction(handle -> {
            Account account = managedAccount(handle, caller, name);
            int clusters =
                    bounded("clusters", request.clusters().orElse(account.quotaClusters()), quotaCeiling.clusters());
            int workers = bounded("workers", request.workers().orElse(account.quotaWorkers()), quotaCeiling.workers());
            int cores = bounded("cores", request.cores().orElse(account.quotaCores()), quotaCeiling.cores());
            handle.attach(AccountDao.class).setQuota(account.id(), clusters, workers, cores);
            return view(
                    handle,
                    handle.attach(AccountDao.class).findById(account.id()).orElseThrow());
        });
    }

    /** What an account uses of its quota now, for its members and server administrators. */
    public UsageView usage(Caller caller, String name) {
        return jdbi.withHandle(handle -> {
            Account account = visibleAccount(handle, caller, name);
            ClusterDao.Usage used = handle.attach(ClusterDao.class).usage(account.id(), "");
            return new UsageView(
                    account.name(), quota(account), new Quota((int) used.clusters(), (int) used.workers(), (int)
                            used.cores()));
        });
    }

    /**
     * Refuses, with {@code quota_exceeded} naming the limit and the current use, a cluster (or a new size of one)
     * that would take the account over its quota. Runs inside the transaction that holds the account's row lock,
     * so concurrent requests see each other's clusters.
     */
    public static void checkQuota(
            Handle handle, Account account, Optional<String> excludingCluster, int workers, int threads) {
        ClusterDao.Usage used = handle.attach(ClusterDao.class).usage(account.id(), excludingCluster.orElse(""));
        long clusters = used.clusters() + 1;
        if (clusters > account.quotaClusters()) {
            throw quotaExceeded("clusters", account.quotaClusters(), used.clusters(), 1);
        }
        if (used.workers() + workers > account.quotaWorkers()) {
            throw quotaExceeded("workers", account.quotaWorkers(), used.workers(), workers);
        }
        if (used.cores() + threads > account.quotaCores()) {
            throw quotaExceeded("cores", account.quotaCores(), used.cores(), threads);
        }
    }

    private static CapstanException quotaExceeded(String resource, long limit, long current, long requested) {
        return new CapstanException(
                io.capstan.api.ErrorCode.QUOTA_EXCEEDED,
                "the account's quota of " + limit + " " + resource + " would be exceeded: " + current + " in use, "
                        + requested + " more asked for",
                Optional.empty(),
                java.util.Map.of("resource", resource, "limit", limit, "current", current, "requested", requested));
    }

    private static int bounded(String field, int value, int ceiling) {
        if (value < 0 || value > ceiling) {
            throw CapstanException.invalidField(
                    field, "'" + field + "' must be between 0 and " + ceiling + ", the server's ceiling");
        }
        return value;
    }

    private static Quota quota(Account account) {
        return new Quota(account.quotaClusters(), account.quotaWorkers(), account.quotaCores());
    }

    public AccountView setMember(Caller caller, String accountName, String username, SetMemberRequest request) {
        Role role = Optional.ofNullable(request.role()).orElseThrow(() -> CapstanException.missingField("role"));
        return jdbi.inTransaction(handle -> {
            Account account = managedAccount(handle, caller, accountName);
            User user = handle.attach(UserDao.class)
                    .findByUsername(username)
                    .orElseThrow(() -> CapstanException.notFound("user '" + username + "'"));
            AccountDao accounts = handle.attach(AccountDao.class);
            if (accounts.updateRole(account.id(), user.id(), role) == 0) {
                accounts.insertMembership(account.id(), user.id(), role, clock.instant());
            }
            return view(handle, account);
        });
    }

    public AccountView removeMember(Caller caller, String accountName, String username) {
        return jdbi.inTransaction(handle -> {
            Account account = managedAccount(handle, caller, accountName);
            User user = handle.attach(UserDao.class)
                    .findByUsername(username)
                    .orElseThrow(() -> CapstanException.notFound("user '" + username + "'"));
            if (handle.attach(AccountDao.class).deleteMembership(account.id(), user.id()) == 0) {
                throw CapstanException.notFound("member '" + username + "' of account '" + accountName + "'");
            }
            return view(handle, account);
        });
    }

    /**
     * Sets the AWS role the account's clusters may ask the control plane to assume ({@code awsRole} on create), with
     * an optional session policy narrowing it. The account's admins and server administrators may. Clusters already
     * running get credentials of the new role at their next refresh.
     */
    public AwsRoleView setAwsRole(Caller caller, String name, SetAwsRoleRequest request) {
        String roleArn = AwsRoleSessions.validateRoleArn(request.roleArn());
        Optional<String> policy = request.sessionPolicy().map(AwsRoleSessions::validateSessionPolicy);
        return jdbi.inTransaction(handle -> {
            Account account = managedAccount(handle, caller, name);
            handle.attach(AwsCredentialsDao.class).setAccountRole(account.id(), roleArn, policy);
            return new AwsRoleView(account.name(), roleArn, policy);
        });
    }

    public AwsRoleView awsRole(Caller caller, String name) {
        return jdbi.withHandle(handle -> {
            Account account = visibleAccount(handle, caller, name);
            AwsCredentialsDao.AccountRole role = handle.attach(AwsCredentialsDao.class)
                    .accountRole(account.id())
                    .orElseThrow(() -> CapstanException.notFound("AWS role of account '" + name + "'"));
            return new AwsRoleView(account.name(), role.roleArn(), role.sessionPolicy());
        });
    }

    /** Removes the account's AWS role: its clusters' assumed credentials are not refreshed any more. */
    public void clearAwsRole(Caller caller, String name) {
        jdbi.useTransaction(handle -> {
            Account account = managedAccount(handle, caller, name);
            handle.attach(AwsCredentialsDao.class).clearAccountRole(account.id());
        });
    }

    /** The account named {@code name} if the caller may see it; otherwise the same answer as for no account. */
    static Account visibleAccount(Handle handle, Caller caller, String name) {
        AccountDao accounts = handle.attach(AccountDao.class);
        return Optional.ofNullable(name)
                .filter(Names::isSlug)
                .flatMap(accounts::findByName)
                .filter(account -> caller.isServerAdmin()
                        || accounts.findMembership(account.id(), caller.userId())
                                .isPresent())
                .orElseThrow(() -> CapstanException.notFound("account '" + name + "'"));
    }

    private static Account managedAccount(Handle handle, Caller caller, String name) {
        Account account = visibleAccount(handle, caller, name);
        if (caller.isServerAdmin()) {
            return account;
        }
        boolean accountAdmin = handle.attach(AccountDao.class)
                .findMembership(account.id(), caller.userId())
                .map(membership -> membership.role() == Role.ADMIN)
                .orElse(false);
        if (!accountAdmin) {
            throw CapstanException.forbidden("only the account's admins manage it");
        }
        return account;
    }

    private static AccountView view(Handle handle, Account account) {
        List<MemberView> members = handle.attach(AccountDao.class).members(account.id()).stream()
                .map(member -> new MemberView(member.username(), member.role(), member.createdAt()))
                .toList();
        return new AccountView(account.id(), account.name(), account.createdAt(), members, quota(account));
    }
}
