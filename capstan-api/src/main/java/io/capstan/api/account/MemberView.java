package io.capstan.api.account;

import io.capstan.api.Role;
import java.time.Instant;

public record MemberView(String username, Role role, Instant since) {}
