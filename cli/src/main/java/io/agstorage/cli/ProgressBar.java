package io.agstorage.cli;

import java.io.PrintWriter;

/** A one-line text progress bar, redrawn in place with a carriage return (stderr, so stdout stays clean). */
final class ProgressBar {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final String label;
    private final long total;
    private final String unit;

    ProgressBar(PrintWriter err, String label, long total, String unit) {
        this.err = err;
        this.label = label;
        this.total = Math.max(1, total);
        this.unit = unit;
        update(0);
    }

    void update(long done) {
        int filled = (int) Math.min(WIDTH, done * WIDTH / total);
        err.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + done + "/" + total
                + " " + unit);
        err.flush();
    }

    void finish() {
        err.println();
        err.flush();
    }
}
