"""http-interop: an HTTP/1.1 and TLS interop test harness and conformance suite."""
