package io.agstorage.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agstorage.core.RetentionSchedule;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpReceiverMainTest {

    @Test
    void receiverSectionIsSplitFromTheStorageSections() {
        var settings = OtlpReceiverMain.Settings.parse(
                "database:\n  url: jdbc:postgresql://db:5432/x\n  schema: metrics\n" + "receiver:\n  http_port: 9999\n",
                Map.of());
        assertThat(settings.storage.schema()).isEqualTo("metrics");
        assertThat(settings.storage.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/x");
    }

    @Test
    void unknownReceiverKeyNamesTheKeyAndTheChoices() {
        assertThatThrownBy(() -> OtlpReceiverMain.Settings.parse("receiver:\n  grpc: 1\n", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown configuration key 'receiver.grpc' (expected one of host, grpc_port, http_port, "
                        + "max_body_bytes, bearer_token, tls_cert, tls_key, tls_client_ca, allow_unauthenticated, "
                        + "request_timeout_ms, idle_timeout_ms, max_connections, max_in_flight_bytes, "
                        + "max_header_bytes, grpc_max_concurrent_calls, grpc_permit_keepalive_ms, http_threads, "
                        + "max_cumulative_series, "
                        + "spool_directory, spool_sync, retention_interval_minutes, admin_port)");
    }

    @Test
    void badPortFromTheEnvironmentNamesTheKeyRuleAndValue() {
        assertThatThrownBy(() -> OtlpReceiverMain.Settings.parse("", Map.of("AG_STORAGE_RECEIVER_HTTP_PORT", "70000")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("httpPort must be between -1 (off) and 65535, was 70000");
        assertThatThrownBy(() -> OtlpReceiverMain.Settings.parse("receiver:\n  grpc_port: many\n", Map.of()))
                .hasMessage("receiver.grpc_port must be an integer, was 'many'");
    }

    @Test
    void theStandaloneReceiverSpoolsUnderItsSchemaUnlessTurnedOff() {
        assertThat(OtlpReceiverMain.Settings.parse("database:\n  schema: metrics\n", Map.of())
                        .receiver
                        .spoolDirectory())
                .isEqualTo(java.nio.file.Path.of("ag-storage-spool", "metrics"));
        assertThat(OtlpReceiverMain.Settings.parse("receiver:\n  spool_directory: \"\"\n", Map.of())
                        .receiver
                        .spoolDirectory())
                .isNull();
        assertThatThrownBy(() -> OtlpReceiverMain.Settings.parse("receiver:\n  spool_sync: sometimes\n", Map.of()))
                .hasMessage("receiver.spool_sync must be one of none, batch, always, was 'sometimes'");
    }

    @Test
    void retentionIsConfiguredInTheRetentionSectionAndTheOldReceiverKeyMapsOntoIt() {
        RetentionSchedule byDefault =
                OtlpReceiverMain.Settings.parse("", Map.of()).storage.retentionSchedule();
        assertThat(byDefault.enabled()).isTrue();
        assertThat(byDefault.intervalSec()).isEqualTo(900);
        assertThat(OtlpReceiverMain.Settings.parse("retention:\n  interval_sec: 60\n", Map.of())
                        .storage
                        .retentionSchedule()
                        .intervalSec())
                .isEqualTo(60);
        assertThat(OtlpReceiverMain.Settings.parse("retention:\n  enabled: false\n", Map.of())
                        .storage
                        .retentionSchedule()
                        .enabled())
                .isFalse();
        // deprecated: receiver.retention_interval_minutes
        assertThat(OtlpReceiverMain.Settings.parse("receiver:\n  retention_interval_minutes: 0\n", Map.of())
                        .storage
                        .retentionSchedule()
                        .enabled())
                .isFalse();
        assertThat(OtlpReceiverMain.Settings.parse("receiver:\n  retention_interval_minutes: 5\n", Map.of())
                        .storage
                        .retentionSchedule()
                        .intervalSec())
                .isEqualTo(300);
        assertThatThrownBy(() ->
                        OtlpReceiverMain.Settings.parse("receiver:\n  retention_interval_minutes: -1\n", Map.of()))
                .hasMessage("receiver.retention_interval_minutes must be >= 0 (0: off), was -1");
    }

    @Test
    void theAdminPortIs13133OnTheReceiversHostUnlessTurnedOff() {
        var defaults = OtlpReceiverMain.Settings.parse("", Map.of());
        assertThat(defaults.adminPort).isEqualTo(13133);
        assertThat(defaults.host).isEqualTo("127.0.0.1");
        var set = OtlpReceiverMain.Settings.parse(
                "receiver:\n  host: 10.0.0.5\n  admin_port: -1\n  bearer_token: t\n", Map.of());
        assertThat(set.adminPort).isEqualTo(-1);
        assertThat(set.host).isEqualTo("10.0.0.5");
        assertThat(OtlpReceiverMain.Settings.parse("", Map.of("AG_STORAGE_RECEIVER_ADMIN_PORT", "0")).adminPort)
                .isZero();
        assertThatThrownBy(() -> OtlpReceiverMain.Settings.parse("receiver:\n  admin_port: 70000\n", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("receiver.admin_port must be between -1 (off) and 65535, was 70000");
        assertThatThrownBy(() -> OtlpReceiverMain.Settings.parse("receiver:\n  admin_port: x\n", Map.of()))
                .hasMessage("receiver.admin_port must be an integer, was 'x'");
    }

    @Test
    void tlsCertWithoutKeyIsRefused() {
        assertThatThrownBy(() -> OtlpReceiverMain.Settings.parse("receiver:\n  tls_cert: /etc/cert.pem\n", Map.of()))
                .hasMessage("receiver.tls_cert and receiver.tls_key must be set together, was tls_cert=/etc/cert.pem, "
                        + "tls_key=unset");
    }

    @Test
    void storageEnvironmentStillApplies() {
        var settings = OtlpReceiverMain.Settings.parse(
                "", Map.of("AG_STORAGE_DATABASE_SCHEMA", "from_env", "AG_STORAGE_RECEIVER_BEARER_TOKEN", "t"));
        assertThat(settings.storage.schema()).isEqualTo("from_env");
    }

    @Test
    void unknownArgumentIsRefused() {
        assertThatThrownBy(() -> OtlpReceiverMain.start(new String[] {"--port", "1"}, Map.of()))
                .hasMessage("unknown argument '--port'");
    }
}
