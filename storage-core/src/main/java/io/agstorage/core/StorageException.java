package io.agstorage.core;

/** The database could not do what was asked: unreachable, timed out, or refused the statement. */
public class StorageException extends RuntimeException {
    public StorageException(String message) {
        super(message);
    }

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
