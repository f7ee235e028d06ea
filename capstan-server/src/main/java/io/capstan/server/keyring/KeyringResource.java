package io.capstan.server.keyring;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Items;
import io.capstan.api.admin.DataKeyRotationView;
import io.capstan.api.admin.KeyringStatus;
import io.capstan.api.admin.MasterKeyRotationResult;
import io.capstan.api.admin.StartDataKeyRotation;
import io.capstan.server.CapstanException;
import io.capstan.server.account.AccountService;
import io.capstan.server.auth.Caller;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.JsonBodies;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import io.capstan.server.http.Types;
import java.util.List;
import java.util.Optional;

/** Keyring administration for server administrators: status, master key rotation, data key rotations. */
public final class KeyringResource implements RouteProvider {
    private final Keyring keyring;
    private final DataKeyRotationService rotations;
    private final AccountService accounts;
    private final JsonBodies bodies;

    public KeyringResource(
            Keyring keyring, DataKeyRotationService rotations, AccountService accounts, JsonBodies bodies) {
        this.keyring = requireNonNull(keyring, "keyring is null");
        this.rotations = requireNonNull(rotations, "rotations is null");
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.bodies = requireNonNull(bodies, "bodies is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.get("/api/v1/admin/keyring")
                        .access(Access.READ)
                        .summary("The keyring: master key source and versions, and what each version wraps")
                        .returns(KeyringStatus.class)
                        .handle(ctx -> {
                            requireServerAdmin(Requests.caller(ctx));
                            ctx.json(status());
                        }),
                ApiRoute.post("/api/v1/admin/master-key/rotate")
                        .access(Access.ADMIN)
                        .summary("Rotate the master key: new version, every data key re-wrapped, old versions retired")
                        .returns(MasterKeyRotationResult.class)
                        .handle(ctx -> {
                            requireServerAdmin(Requests.caller(ctx));
                            Keyring.MasterKeyRotation rotation = keyring.rotateMasterKey();
                            ctx.json(new MasterKeyRotationResult(
                                    rotation.versionsBefore(),
                                    rotation.primaryVersion(),
                                    rotation.rewrapped(),
                                    rotation.versionsAfter(),
                                    rotation.advice()));
                        }),
                ApiRoute.post("/api/v1/admin/data-key-rotations")
                        .access(Access.ADMIN)
                        .summary("Rotate data keys (of one account, or all) and re-encrypt stored values in the"
                                + " background")
                        .accepts(StartDataKeyRotation.class)
                        .returns(DataKeyRotationView.class)
                        .status(202)
                        .handle(ctx -> {
                            Caller caller = Requests.caller(ctx);
                            requireServerAdmin(caller);
                            StartDataKeyRotation request = bodies.read(ctx, StartDataKeyRotation.class);
                            Optional<String> owner = request.account()
                                    .map(name -> accounts.show(caller, name).id());
                            ctx.status(202).json(rotations.start(owner));
                        }),
                ApiRoute.get("/api/v1/admin/data-key-rotations")
                        .access(Access.READ)
                        .summary("List data key rotations")
                        .returns(Types.itemsOf(DataKeyRotationView.class))
                        .handle(ctx -> {
                            requireServerAdmin(Requests.caller(ctx));
                            ctx.json(new Items<>(rotations.list()));
                        }),
                ApiRoute.get("/api/v1/admin/data-key-rotations/{id}")
                        .access(Access.READ)
                        .summary("A data key rotation and its progress")
                        .returns(DataKeyRotationView.class)
                        .handle(ctx -> {
                            requireServerAdmin(Requests.caller(ctx));
                            ctx.json(rotations.get(ctx.pathParam("id")));
                        }));
    }

    private KeyringStatus status() {
        MasterKey masterKey = keyring.masterKey();
        return new KeyringStatus(
                keyring.keyringId(),
                keyring.sourceDescription(),
                masterKey.primaryVersion(),
                masterKey.versions(),
                keyring.owners().size(),
                keyring.wrappedCountByVersion());
    }

    private static void requireServerAdmin(Caller caller) {
        if (!caller.isServerAdmin()) {
            throw CapstanException.forbidden("only server administrators manage the keyring");
        }
    }
}
