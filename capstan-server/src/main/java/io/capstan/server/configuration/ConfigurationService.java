package io.capstan.server.configuration;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Json;
import io.capstan.api.Visibility;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.api.configuration.ClusterOptions;
import io.capstan.api.configuration.ConfigurationView;
import io.capstan.api.configuration.CreateConfigurationRequest;
import io.capstan.api.configuration.UpdateConfigurationRequest;
import io.capstan.server.CapstanException;
import io.capstan.server.account.Account;
import io.capstan.server.account.AccountDao;
import io.capstan.server.auth.Caller;
import io.capstan.server.cluster.ClusterOptionsPolicy;
import io.capstan.server.internal.Ids;
import io.capstan.server.internal.Names;
import io.capstan.server.logstore.LogStore;
import io.capstan.server.sharing.Sharing;
import io.capstan.server.store.Database;
import io.capstan.server.user.User;
import io.capstan.server.user.UserDao;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Cluster configurations: named templates of cluster options. A configuration is checked against the same rules
 * as a cluster when it is saved, and applied under the explicit options of a create request.
 */
public final class ConfigurationService {
    private final Jdbi jdbi;
    private final LogStore logStore;
    private final ClusterOptionsPolicy policy;
    private final Visibility defaultVisibility;
    private final Clock clock;

    public ConfigurationService(
            Jdbi jdbi, LogStore logStore, ClusterOptionsPolicy policy, Visibility defaultVisibility, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.logStore = requireNonNull(logStore, "logStore is null");
        this.policy = requireNonNull(policy, "policy is null");
        this.defaultVisibility = requireNonNull(defaultVisibility, "defaultVisibility is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public ConfigurationView create(Caller caller, CreateConfigurationRequest request) {
        String name = Names.requireSlug("name", request.name());
        ClusterOptions options = validate(
                Optional.ofNullable(request.options()).orElseThrow(() -> CapstanException.missingField("options")));
        Optional<String> description = request.description().map(text -> Names.requireLabel("description", text, 1000));
        try {
            return jdbi.inTransaction(handle -> {
                Account account = Sharing.owningAccount(handle, caller, request.account());
                ConfigurationDao configurations = handle.attach(ConfigurationDao.class);
                if (configurations.find(account.id(), name).isPresent()) {
                    throw CapstanException.alreadyExists(
                            "account '" + account.name() + "' already has a" + " configuration named '" + name + "'");
                }
                Instant now = clock.instant();
                Configuration configuration = new Configuration(
                        Ids.newId("cfg"),
                        account.id(),
                        caller.userId(),
                        name,
                        request.visibility().orElse(defaultVisibility),
                        Json.strict().writeValueAsString(options),
                        description,
                        now,
                        now);
                configurations.insert(configuration);
                logStore.event(
                        handle,
                        account.id(),
                        configuration.id(),
                        "configuration",
                        "configuration " + name
                                + " created by " + caller.user().username() + " ("
                                + configuration.visibility().wireName() + ")");
                return view(handle, configuration);
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                throw CapstanException.alreadyExists("a configuration named '" + name + "' already exists");
            }
            throw e;
        }
    }

    public List<ConfigurationView> list(Caller caller) {
        return jdbi.withHandle(
                handle -> handle.attach(ConfigurationDao.class).listVisible(Sharing.accountIds(handle, caller)).stream()
                        .map(configuration -> view(handle, configuration))
                        .toList());
    }

    public ConfigurationView show(Caller caller, String account, String name) {
        return jdbi.withHandle(handle -> view(handle, visible(handle, caller, account, name)));
    }

    public ConfigurationView update(Caller caller, String account, String name, UpdateConfigurationRequest request) {
        return jdbi.inTransaction(handle -> {
            Configuration current = visible(handle, caller, account, name);
            Sharing.requireManager(handle, caller, current.accountId(), current.creatorId(), "configuration " + name);
            Configuration updated = new Configuration(
                    current.id(),
                    current.accountId(),
                    current.creatorId(),
                    current.name(),
                    request.visibility().orElse(current.visibility()),
                    request.options()
                            .map(options -> Json.strict().writeValueAsString(validate(options)))
                            .orElse(current.options()),
                    request.description()
                            .map(text -> Names.requireLabel("description", text, 1000))
                            .or(current::description),
                    current.createdAt(),
                    clock.instant());
            handle.attach(ConfigurationDao.class).update(updated);
            logStore.event(
                    handle,
                    current.accountId(),
                    current.id(),
                    "configuration",
                    "configuration " + name + " updated by " + caller.user().username() + " ("
                            + updated.visibility().wireName() + ")");
            return view(handle, updated);
        });
    }

    public void delete(Caller caller, String account, String name) {
        jdbi.useTransaction(handle -> {
            Configuration current = visible(handle, caller, account, name);
            Sharing.requireManager(handle, caller, current.accountId(), current.creatorId(), "configuration " + name);
            handle.attach(ConfigurationDao.class).delete(current.id());
            logStore.event(
                    handle,
                    current.accountId(),
                    current.id(),
                    "configuration",
                    "configuration " + name + " deleted by " + caller.user().username());
        });
    }

    /** The configuration {@code reference} names, as seen by the caller creating a cluster in {@code account}. */
    public static Configuration resolve(Handle handle, Caller caller, String reference, Account clusterAccount) {
        Sharing.Reference parsed = Sharing.parse("configuration", reference);
        return Sharing.referencedAccount(handle, parsed, clusterAccount)
                .flatMap(account -> handle.attach(ConfigurationDao.class).find(account.id(), parsed.name()))
                .filter(configuration ->
                        Sharing.isVisible(handle, caller, configuration.accountId(), configuration.visibility()))
                .orElseThrow(() -> CapstanException.notFound("configuration '" + parsed.describe() + "'"));
    }

    /** {@code request} with the configuration's options under it: what the request sets wins. */
    public static CreateClusterRequest apply(Configuration configuration, CreateClusterRequest request) {
        ClusterOptions options = Json.lenient().readValue(configuration.options(), ClusterOptions.class);
        return new CreateClusterRequest(
                request.name(),
                request.account(),
                request.workers().or(options::workers),
                request.threadsPerWorker().or(options::threadsPerWorker),
                request.memoryPerWorkerBytes().or(options::memoryPerWorkerBytes),
                request.idleTimeoutSeconds().or(options::idleTimeoutSeconds),
                request.maxLifetimeSeconds().or(options::maxLifetimeSeconds),
                request.labels().or(options::labels),
                request.configuration(),
                request.environment().or(options::environment),
                request.awsCredentials(),
                request.awsRole());
    }

    private ClusterOptions validate(ClusterOptions options) {
        policy.resolve(new CreateClusterRequest(
                Optional.empty(),
                Optional.empty(),
                options.workers(),
                options.threadsPerWorker(),
                options.memoryPerWorkerBytes(),
                options.idleTimeoutSeconds(),
                options.maxLifetimeSeconds(),
                options.labels(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty()));
        options.environment().ifPresent(reference -> Sharing.parse("options.environment", reference));
        return options;
    }

    private static Configuration visible(Handle handle, Caller caller, String account, String name) {
        return handle.attach(AccountDao.class)
                .findByName(account)
                .flatMap(found -> handle.attach(ConfigurationDao.class).find(found.id(), name))
                .filter(configuration ->
                        Sharing.isVisible(handle, caller, configuration.accountId(), configuration.visibility()))
                .orElseThrow(() -> CapstanException.notFound("configuration '" + account + "/" + name + "'"));
    }

    private static ConfigurationView view(Handle handle, Configuration configuration) {
        String account = handle.attach(AccountDao.class)
                .findById(configuration.accountId())
                .map(Account::name)
                .orElse("");
        String creator = handle.attach(UserDao.class)
                .findById(configuration.creatorId())
                .map(User::username)
                .orElse("(deleted user)");
        return new ConfigurationView(
                configuration.id(),
                account,
                configuration.name(),
                configuration.visibility(),
                Json.lenient().readValue(configuration.options(), ClusterOptions.class),
                configuration.description(),
                creator,
                configuration.createdAt(),
                configuration.updatedAt());
    }
}
