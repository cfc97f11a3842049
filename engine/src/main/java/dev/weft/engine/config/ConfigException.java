package dev.weft.engine.config;

/** A config value that cannot build a model: the message names the field, the expected and the found value. */
public class ConfigException extends IllegalArgumentException {
    public ConfigException(String message) {
        super(message);
    }

    static void check(boolean ok, String section, String field, String expected, Object found) {
        if (!ok) {
            throw new ConfigException(section + "." + field + ": expected " + expected + ", found " + found);
        }
    }

    static void positive(String section, String field, long v) {
        check(v > 0, section, field, "a positive number", v);
    }

    static void divisible(String section, String field, long v, String byField, long by) {
        check(by > 0 && v % by == 0, section, field, "a multiple of " + byField + " (" + by + ")", v);
    }
}
