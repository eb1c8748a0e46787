package io.agstorage.otlp.internal;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * OTLP/gRPC {@code opentelemetry.proto.collector.metrics.v1.MetricsService/Export}. The request is taken as bytes
 * and decoded here, so that a malformed payload is answered INVALID_ARGUMENT (grpc-java's own decoder would answer
 * INTERNAL).
 */
public final class GrpcMetricsService {

    private static final Metadata.Key<String> AUTHORIZATION =
            Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private GrpcMetricsService() {}

    /**
     * The service; a call whose points are not committed (or spooled) within {@code timeoutMs} is answered UNAVAILABLE
     * with a one-second {@code RetryInfo}, as OTLP/HTTP answers 503 (the points may still be committed later: the
     * client's retry then stores nothing twice, see {@link OtlpIngest#ingest}).
     */
    public static ServerServiceDefinition definition(OtlpIngest ingest, long timeoutMs) {
        MethodDescriptor<byte[], ExportMetricsServiceResponse> export = MetricsServiceGrpc.getExportMethod().toBuilder(
                        new BytesMarshaller(), ProtoUtils.marshaller(ExportMetricsServiceResponse.getDefaultInstance()))
                .build();
        return ServerServiceDefinition.builder(MetricsServiceGrpc.SERVICE_NAME)
                .addMethod(
                        export,
                        ServerCalls.asyncUnaryCall(
                                (byte[] bytes, StreamObserver<ExportMetricsServiceResponse> observer) ->
                                        export(ingest, timeoutMs, bytes, observer)))
                .build();
    }

    private static void export(
            OtlpIngest ingest, long timeoutMs, byte[] bytes, StreamObserver<ExportMetricsServiceResponse> observer) {
        OtlpIngest.Decoded request;
        try {
            request = OtlpIngest.decode(bytes);
        } catch (InvalidProtocolBufferException e) {
            observer.onError(Status.INVALID_ARGUMENT
                    .withDescription("malformed ExportMetricsServiceRequest: " + e.getMessage())
                    .asRuntimeException());
            return;
        }
        // A call its client already gave up on (deadline exceeded, cancelled) is not stored: the client sends it again.
        // Once mapped, a request's points are claimed, so a copy sent after the client gave up later stores nothing
        // twice (see OtlpIngest#ingest); a cancelled call is then simply not answered.
        ServerCallStreamObserver<ExportMetricsServiceResponse> call =
                (ServerCallStreamObserver<ExportMetricsServiceResponse>) observer;
        if (call.isCancelled() || Context.current().isCancelled()) {
            return;
        }
        call.setOnCancelHandler(() -> {});
        ingest.ingest(request).orTimeout(timeoutMs, TimeUnit.MILLISECONDS).whenComplete((outcome, error) -> {
            if (call.isCancelled()) {
                return;
            }
            if (error instanceof TimeoutException
                    || (error instanceof CompletionException && error.getCause() instanceof TimeoutException)) {
                observer.onError(unavailable("commit not confirmed within " + timeoutMs + " ms, retry later"));
            } else if (error != null) {
                LoggerFactory.getLogger(GrpcMetricsService.class).warn("OTLP/gRPC request not stored", error);
                observer.onError(unavailable(OtlpIngest.NOT_COMMITTED));
            } else if (outcome instanceof OtlpIngest.Outcome.Accepted a) {
                observer.onNext(a.response());
                observer.onCompleted();
            } else if (outcome instanceof OtlpIngest.Outcome.Busy b) {
                observer.onError(unavailable(b.message()));
            } else if (outcome instanceof OtlpIngest.Outcome.TooLarge t) {
                // Not retryable (no RetryInfo): sending the same request again cannot succeed.
                observer.onError(
                        Status.RESOURCE_EXHAUSTED.withDescription(t.message()).asRuntimeException());
            } else {
                observer.onError(unavailable(((OtlpIngest.Outcome.Failed) outcome).message()));
            }
        });
    }

    /** UNAVAILABLE with a {@code google.rpc.RetryInfo} of one second, which OTLP clients honour. */
    private static RuntimeException unavailable(String message) {
        return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.UNAVAILABLE.value())
                .setMessage(message)
                .addDetails(Any.pack(RetryInfo.newBuilder()
                        .setRetryDelay(com.google.protobuf.Duration.newBuilder().setSeconds(1))
                        .build()))
                .build());
    }

    /** Refuses calls without {@code authorization: Bearer <token>} (UNAUTHENTICATED). */
    public static ServerInterceptor bearerToken(String token) {
        byte[] expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
        return new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                @Nullable String given = headers.get(AUTHORIZATION);
                if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
                    call.close(
                            Status.UNAUTHENTICATED.withDescription(
                                    "missing or wrong bearer token (header authorization: Bearer <token>)"),
                            new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                return next.startCall(call, headers);
            }
        };
    }

    private static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new java.io.ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try (stream) {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
