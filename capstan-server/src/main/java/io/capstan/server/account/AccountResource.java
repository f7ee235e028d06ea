package io.capstan.server.account;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Items;
import io.capstan.api.account.AccountView;
import io.capstan.api.account.CreateAccountRequest;
import io.capstan.api.account.SetMemberRequest;
import io.capstan.api.account.SetQuotaRequest;
import io.capstan.api.account.UsageView;
import io.capstan.api.aws.AwsRoleView;
import io.capstan.api.aws.SetAwsRoleRequest;
import io.capstan.server.http.Access;
import io.capstan.server.http.ApiRoute;
import io.capstan.server.http.JsonBodies;
import io.capstan.server.http.Requests;
import io.capstan.server.http.RouteProvider;
import io.capstan.server.http.Types;
import java.util.List;

public final class AccountResource implements RouteProvider {
    private final AccountService accounts;
    private final JsonBodies bodies;

    public AccountResource(AccountService accounts, JsonBodies bodies) {
        this.accounts = requireNonNull(accounts, "accounts is null");
        this.bodies = requireNonNull(bodies, "bodies is null");
    }

    @Override
    public List<ApiRoute> routes() {
        return List.of(
                ApiRoute.post("/api/v1/accounts")
                        .access(Access.ADMIN)
                        .summary("Create an account (server administrators)")
                        .accepts(CreateAccountRequest.class)
                        .returns(AccountView.class)
                        .status(201)
                        .handle(ctx -> ctx.status(201)
                                .json(accounts.create(
                                        Requests.caller(ctx), bodies.read(ctx, CreateAccountRequest.class)))),
                ApiRoute.get("/api/v1/accounts")
                        .access(Access.READ)
                        .summary("List the accounts you belong to (server administrators: all)")
                        .returns(Types.itemsOf(AccountView.class))
                        .handle(ctx -> ctx.json(new Items<>(accounts.list(Requests.caller(ctx))))),
                ApiRoute.get("/api/v1/accounts/{account}")
                        .access(Access.READ)
                        .summary("Show an account and its members")
                        .returns(AccountView.class)
                        .handle(ctx -> ctx.json(accounts.show(Requests.caller(ctx), ctx.pathParam("account")))),
                ApiRoute.delete("/api/v1/accounts/{account}")
                        .access(Access.ADMIN)
                        .summary("Delete an account and everything it owns; its data key is destroyed (server"
                                + " administrators)")
                        .status(204)
                        .handle(ctx -> {
                            accounts.delete(Requests.caller(ctx), ctx.pathParam("account"));
                            ctx.status(204);
                        }),
                ApiRoute.put("/api/v1/accounts/{account}/quota")
                        .access(Access.ADMIN)
                        .summary("Change an account's quota (its admins and server administrators)")
                        .accepts(SetQuotaRequest.class)
                        .returns(AccountView.class)
                        .handle(ctx -> ctx.json(accounts.setQuota(
                                Requests.caller(ctx),
                                ctx.pathParam("account"),
                                bodies.read(ctx, SetQuotaRequest.class)))),
                ApiRoute.get("/api/v1/accounts/{account}/usage")
                        .access(Access.READ)
                        .summary("What the account uses of its quota now")
                        .returns(UsageView.class)
                        .handle(ctx -> ctx.json(accounts.usage(Requests.caller(ctx), ctx.pathParam("account")))),
                ApiRoute.put("/api/v1/accounts/{account}/aws-role")
                        .access(Access.ADMIN)
                        .summary("Set the AWS role the account's clusters may have the control plane assume, with an"
                                + " optional session policy (its admins and server administrators)")
                        .accepts(SetAwsRoleRequest.class)
                        .returns(AwsRoleView.class)
                        .handle(ctx -> ctx.json(accounts.setAwsRole(
                                Requests.caller(ctx),
                                ctx.pathParam("account"),
                                bodies.read(ctx, SetAwsRoleRequest.class)))),
                ApiRoute.get("/api/v1/accounts/{account}/aws-role")
                        .access(Access.READ)
                        .summary("Show the account's AWS role and session policy")
                        .returns(AwsRoleView.class)
                        .handle(ctx -> ctx.json(accounts.awsRole(Requests.caller(ctx), ctx.pathParam("account")))),
                ApiRoute.delete("/api/v1/accounts/{account}/aws-role")
                        .access(Access.ADMIN)
                        .summary("Remove the account's AWS role; assumed credentials are no longer refreshed")
                        .status(204)
                        .handle(ctx -> {
                            accounts.clearAwsRole(Requests.caller(ctx), ctx.pathParam("account"));
                            ctx.status(204);
                        }),
                ApiRoute.put("/api/v1/accounts/{account}/members/{username}")
                        .access(Access.ADMIN)
                        .summary("Add a member to an account, or change their role")
                        .accepts(SetMemberRequest.class)
                        .returns(AccountView.class)
                        .handle(ctx -> ctx.json(accounts.setMember(
                                Requests.caller(ctx),
                                ctx.pathParam("account"),
                                ctx.pathParam("username"),
                                bodies.read(ctx, SetMemberRequest.class)))),
                ApiRoute.delete("/api/v1/accounts/{account}/members/{username}")
                        .access(Access.ADMIN)
                        .summary("Remove a member from an account; their access ends at once")
                        .returns(AccountView.class)
                        .handle(ctx -> ctx.json(accounts.removeMember(
                                Requests.caller(ctx), ctx.pathParam("account"), ctx.pathParam("username")))));
    }
}
