package io.capstan.api.privacy;

/**
 * A category of data the server keeps: what it is, where it is kept, how it is protected, how long it is kept, and
 * how many records of it concern the caller.
 */
public record DataCategory(
        String name, String description, String location, String encryption, String retention, long yourRecords) {}
