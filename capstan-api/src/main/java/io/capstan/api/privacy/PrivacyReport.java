package io.capstan.api.privacy;

import java.util.List;

/** What the server stores about the caller, category by category, and how to have it deleted. */
public record PrivacyReport(String user, List<DataCategory> categories, String deletion) {
    public PrivacyReport {
        categories = List.copyOf(categories);
    }
}
