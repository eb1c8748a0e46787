package io.agstorage.core;

import java.util.regex.Pattern;

/**
 * Hides credentials inside JDBC URLs before they reach a log line, an exception message or a {@code toString()}.
 * Every module that shows a configured URL masks it here, so a password never leaks through one that forgot.
 */
public final class Masking {

    private static final Pattern PASSWORD_PARAM = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/:@]+:)[^@/]*@");

    private Masking() {}

    /**
     * The URL with its password replaced by {@code ****}: {@code jdbc:postgresql://h/db?user=u&password=s} →
     * {@code ...password=****}; {@code //u:s@h} → {@code //u:****@h}.
     */
    public static String maskJdbcUrl(String url) {
        String masked = PASSWORD_PARAM.matcher(url).replaceAll("$1****");
        return USER_INFO.matcher(masked).replaceAll("$1****@");
    }
}
