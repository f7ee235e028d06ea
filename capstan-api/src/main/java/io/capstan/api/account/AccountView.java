package io.capstan.api.account;

import java.time.Instant;
import java.util.List;

public record AccountView(String id, String name, Instant createdAt, List<MemberView> members, Quota quota) {
    public AccountView {
        members = List.copyOf(members);
    }
}
