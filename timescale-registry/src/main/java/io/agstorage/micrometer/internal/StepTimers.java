package io.agstorage.micrometer.internal;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.Histogram;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.step.StepDistributionSummary;
import io.micrometer.core.instrument.step.StepTimer;
import java.util.concurrent.TimeUnit;

/**
 * Micrometer's step timer and summary with a {@link StepHistogram}, whose buckets roll over together with count
 * and total when the registry closes (Micrometer's own classes roll only count and total).
 */
public final class StepTimers {

    private StepTimers() {}

    public static Timer timer(
            Meter.Id id,
            Clock clock,
            DistributionStatisticConfig config,
            PauseDetector pauseDetector,
            TimeUnit baseTimeUnit,
            long stepMillis) {
        return new ClosingStepTimer(
                id,
                clock,
                config,
                pauseDetector,
                baseTimeUnit,
                stepMillis,
                StepHistogram.create(clock, stepMillis, config));
    }

    public static DistributionSummary summary(
            Meter.Id id, Clock clock, DistributionStatisticConfig config, double scale, long stepMillis) {
        return new ClosingStepSummary(
                id, clock, config, scale, stepMillis, StepHistogram.create(clock, stepMillis, config));
    }

    private static final class ClosingStepTimer extends StepTimer {

        private final Histogram stepHistogram;

        ClosingStepTimer(
                Meter.Id id,
                Clock clock,
                DistributionStatisticConfig config,
                PauseDetector pauseDetector,
                TimeUnit baseTimeUnit,
                long stepMillis,
                Histogram histogram) {
            super(id, clock, config, pauseDetector, baseTimeUnit, stepMillis, histogram);
            this.stepHistogram = histogram;
        }

        @Override
        public void _closingRollover() {
            super._closingRollover();
            StepHistogram.closingRollover(stepHistogram);
        }
    }

    private static final class ClosingStepSummary extends StepDistributionSummary {

        private final Histogram stepHistogram;

        ClosingStepSummary(
                Meter.Id id,
                Clock clock,
                DistributionStatisticConfig config,
                double scale,
                long stepMillis,
                Histogram histogram) {
            super(id, clock, config, scale, stepMillis, histogram);
            this.stepHistogram = histogram;
        }

        @Override
        public void _closingRollover() {
            super._closingRollover();
            StepHistogram.closingRollover(stepHistogram);
        }
    }
}
