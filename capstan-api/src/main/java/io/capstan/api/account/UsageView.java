package io.capstan.api.account;

/** An account's use of its quota right now. */
public record UsageView(String account, Quota quota, Quota used) {}
