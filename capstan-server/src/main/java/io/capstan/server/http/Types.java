package io.capstan.server.http;

import io.capstan.api.Items;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.List;

/** Generic types for route descriptions, such as {@code Items<TokenView>}. */
public final class Types {
    private Types() {}

    public static Type itemsOf(Class<?> element) {
        return parameterized(Items.class, element);
    }

    public static Type parameterized(Class<?> raw, Type... arguments) {
        return new Parameterized(raw, List.of(arguments));
    }

    private record Parameterized(Class<?> raw, List<Type> arguments) implements ParameterizedType {
        @Override
        public Type[] getActualTypeArguments() {
            return arguments.toArray(new Type[0]);
        }

        @Override
        public Type getRawType() {
            return raw;
        }

        @Override
        public Type getOwnerType() {
            return null;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof ParameterizedType type
                    && raw.equals(type.getRawType())
                    && Arrays.equals(getActualTypeArguments(), type.getActualTypeArguments());
        }

        @Override
        public int hashCode() {
            return raw.hashCode() * 31 + arguments.hashCode();
        }
    }
}
