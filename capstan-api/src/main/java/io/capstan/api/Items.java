package io.capstan.api;

import java.util.List;

/** A collection answer. An object rather than a bare array, so it can gain paging members without breaking. */
public record Items<T>(List<T> items) {
    public Items {
        items = List.copyOf(items);
    }
}
