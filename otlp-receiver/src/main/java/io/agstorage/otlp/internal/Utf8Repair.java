package io.agstorage.otlp.internal;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Rewrites a protobuf message whose {@code string} fields hold invalid UTF-8 (which protobuf-java refuses to parse
 * at all) so that it parses: each invalid sequence becomes U+FFFD. The receiver then refuses only the data points
 * whose names or attributes were repaired, and keeps the rest of the request.
 */
final class Utf8Repair {

    static final char REPLACEMENT = '\uFFFD';

    private Utf8Repair() {}

    static byte[] repair(byte[] message, Descriptor type) throws InvalidProtocolBufferException {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.length);
            CodedOutputStream out = CodedOutputStream.newInstance(bytes);
            copy(CodedInputStream.newInstance(message), out, type, 0);
            out.flush();
            return bytes.toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidProtocolBufferException(e.getMessage());
        }
    }

    private static void copy(CodedInputStream in, CodedOutputStream out, Descriptor type, int depth)
            throws IOException {
        if (depth > 64) {
            throw new InvalidProtocolBufferException("message nested more than 64 levels deep");
        }
        int tag;
        while ((tag = in.readTag()) != 0) {
            int number = WireFormat.getTagFieldNumber(tag);
            FieldDescriptor field = type.findFieldByNumber(number);
            if (WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED
                    && field != null
                    && (field.getType() == FieldDescriptor.Type.STRING
                            || field.getType() == FieldDescriptor.Type.MESSAGE)) {
                ByteString data = in.readBytes();
                if (field.getType() == FieldDescriptor.Type.STRING) {
                    if (!data.isValidUtf8()) {
                        data = ByteString.copyFromUtf8(new String(data.toByteArray(), StandardCharsets.UTF_8));
                    }
                } else {
                    ByteString.Output nested = ByteString.newOutput(data.size());
                    CodedOutputStream nestedOut = CodedOutputStream.newInstance(nested);
                    copy(data.newCodedInput(), nestedOut, field.getMessageType(), depth + 1);
                    nestedOut.flush();
                    data = nested.toByteString();
                }
                out.writeBytes(number, data);
            } else if (!in.skipField(tag, out)) {
                return;
            }
        }
    }
}
