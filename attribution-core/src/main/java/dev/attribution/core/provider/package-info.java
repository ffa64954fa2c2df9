/**
 * Provider recognition and parsing: which provider and operation an HTTP call is, what the request
 * asks for (model, streaming, output cap) and what the response used (tokens, model, id, error),
 * for plain JSON bodies and server-sent-event streams. Transport-neutral: it sees hosts, paths and
 * bytes, never an HTTP client type.
 */
@NullMarked
package dev.attribution.core.provider;

import org.jspecify.annotations.NullMarked;
