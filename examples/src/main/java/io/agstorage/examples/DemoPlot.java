package io.agstorage.examples;

import io.agstorage.core.Aggregation;
import io.agstorage.core.AggregationResult;
import io.agstorage.core.Bucket;
import io.agstorage.core.StorageEngine;
import io.agstorage.execution.PositionSnapshot;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.data.time.Millisecond;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * {@code scripts/demo --plot}: one PNG with two charts read back from the database, the demo's order latency
 * percentiles per 5-minute bucket ({@code queryAggregated}) and each market's position after every fill.
 */
final class DemoPlot {

    /** Width of the PNG in pixels. */
    static final int WIDTH = 1000;

    /** Height of one chart; the PNG stacks two. */
    static final int CHART_HEIGHT = 400;

    private DemoPlot() {}

    /** Writes the PNG to {@code file} (parent directories created) and returns its absolute path. */
    static Path write(StorageEngine engine, Instant end, Map<String, List<PositionSnapshot>> positions, Path file) {
        System.setProperty("java.awt.headless", "true");
        BufferedImage image = new BufferedImage(WIDTH, 2 * CHART_HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            latency(engine, end).draw(g, new java.awt.Rectangle(0, 0, WIDTH, CHART_HEIGHT));
            positions(positions).draw(g, new java.awt.Rectangle(0, CHART_HEIGHT, WIDTH, CHART_HEIGHT));
        } finally {
            g.dispose();
        }
        try {
            Path absolute = file.toAbsolutePath();
            Files.createDirectories(absolute.getParent());
            ImageIO.write(image, "png", absolute.toFile());
            return absolute;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo's plot to " + file + ": " + e.getMessage(), e);
        }
    }

    private static JFreeChart latency(StorageEngine engine, Instant end) {
        TimeSeriesCollection data = new TimeSeriesCollection();
        for (Aggregation percentile : List.of(Aggregation.P50, Aggregation.P95, Aggregation.P99)) {
            AggregationResult result = engine.queryAggregated(
                    "order_latency_ms", end.minus(Duration.ofHours(1)), end, Duration.ofMinutes(5), percentile);
            TimeSeries series = new TimeSeries(percentile.name());
            for (Bucket bucket : result.buckets()) {
                series.addOrUpdate(new Millisecond(Date.from(bucket.start())), bucket.value());
            }
            data.addSeries(series);
        }
        return ChartFactory.createTimeSeriesChart(
                "order_latency_ms percentiles per 5 minutes", "time (UTC)", "ms", data, true, false, false);
    }

    private static JFreeChart positions(Map<String, List<PositionSnapshot>> positions) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, List<PositionSnapshot>> market : positions.entrySet()) {
            XYSeries series = new XYSeries(
                    market.getKey().substring(0, Math.min(18, market.getKey().length())) + "…");
            int n = 0;
            for (PositionSnapshot p : market.getValue()) {
                series.add(++n, p.size().doubleValue());
            }
            data.addSeries(series);
        }
        return ChartFactory.createXYLineChart(
                "position size after each filled order (polymarket)",
                "snapshot",
                "size (signed)",
                data,
                org.jfree.chart.plot.PlotOrientation.VERTICAL,
                true,
                false,
                false);
    }
}
