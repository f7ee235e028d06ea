package io.capstan.api.user;

import java.time.Instant;
import java.util.List;

public record UserView(
        String id,
        String username,
        String email,
        boolean serverAdmin,
        Instant createdAt,
        List<MembershipView> memberships) {
    public UserView {
        memberships = List.copyOf(memberships);
    }
}
