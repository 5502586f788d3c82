package io.braid.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * What the CLI's API clients share: a bearer-token JSON call with a timeout, and the two ways it
 * fails — nobody answers ({@link ApiClient.NotRunningException}) or the peer answered with its
 * {@code {"error": {"code", "message"}}} body ({@link ApiClient.ApiCallException}).
 */
final class JsonHttp {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final String prefix;
    private final String token;
    private final ObjectMapper json;
    private final String peer;
    private final String deadHint;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    /**
     * @param base     the API's base URL (a trailing slash is dropped)
     * @param prefix   the path every call starts with, e.g. {@code /api/v1}
     * @param json     the API's mapper
     * @param peer     what answers, for messages: {@code "Braid instance"}, {@code "host agent"}
     * @param deadHint said after "no ... answers at URL" (e.g. the pid the control file names), or ""
     */
    JsonHttp(URI base, String prefix, String token, ObjectMapper json, String peer, String deadHint) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b.substring(0, b.length() - 1) : b);
        this.prefix = prefix;
        this.token = token;
        this.json = json;
        this.peer = peer;
        this.deadHint = deadHint;
    }

    URI base() {
        return base;
    }

    JavaType type(Class<?> c) {
        return json.constructType(c);
    }

    JavaType listOf(Class<?> c) {
        return json.getTypeFactory().constructCollectionType(java.util.List.class, c);
    }

    <T> T get(String path, JavaType type) throws IOException {
        return send("GET", path, null, type);
    }

    <T> T post(String path, Object body, JavaType type) throws IOException {
        return send("POST", path, body, type);
    }

    <T> T delete(String path, JavaType type) throws IOException {
        return send("DELETE", path, null, type);
    }

    /** One call; {@code body} (or none) goes as JSON, the answer is read as {@code type}. */
    <T> T send(String method, String path, Object body, JavaType type) throws IOException {
        return send(method, path, body, type, TIMEOUT);
    }

    /** {@link #send(String, String, Object, JavaType)} for a call that may take up to {@code timeout}. */
    <T> T send(String method, String path, Object body, JavaType type, Duration timeout) throws IOException {
        URI uri = URI.create(base + prefix + path);
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new ApiClient.NotRunningException("no " + peer + " answers at " + base + deadHint);
        } catch (HttpTimeoutException e) {
            throw new ApiClient.NotRunningException("the " + peer + " at " + base + " did not answer within "
                    + timeout.toSeconds() + "s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw failure(method, uri, response);
        }
        try {
            return json.readValue(response.body(), type);
        } catch (JacksonException e) {
            throw new IOException("unexpected answer from " + uri + ": " + e.getOriginalMessage(), e);
        }
    }

    private ApiClient.ApiCallException failure(String method, URI uri, HttpResponse<String> response) {
        String message = "HTTP " + response.statusCode();
        String code = "http_" + response.statusCode();
        try {
            JsonNode error = json.readTree(response.body()).path("error");
            if (error.hasNonNull("code") && error.hasNonNull("message")) {
                message = error.get("message").asText();
                code = error.get("code").asText();
            }
        } catch (JacksonException e) {
            // Not our JSON (a proxy, another server): keep the HTTP status.
        }
        return new ApiClient.ApiCallException(response.statusCode(), code,
                method + " " + uri.getRawPath() + " failed: " + message + " (" + code + ")");
    }
}
