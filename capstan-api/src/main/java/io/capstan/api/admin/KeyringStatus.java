package io.capstan.api.admin;

import java.util.List;
import java.util.Map;

/** What the keyring looks like: where the master key comes from, its versions, and what each version wraps. */
public record KeyringStatus(
        String keyringId,
        String masterKeySource,
        String primaryVersion,
        List<String> masterKeyVersions,
        int dataKeys,
        Map<String, Integer> wrappedByVersion) {
    public KeyringStatus {
        masterKeyVersions = List.copyOf(masterKeyVersions);
        wrappedByVersion = Map.copyOf(wrappedByVersion);
    }
}
