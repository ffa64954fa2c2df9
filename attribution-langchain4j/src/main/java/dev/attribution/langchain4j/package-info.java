/**
 * LangChain4j: {@link dev.attribution.langchain4j.AttributionHttpClientBuilder} decorates the
 * {@code HttpClientBuilder} that every LangChain4j provider module accepts ({@code
 * .httpClientBuilder(..)}), so calls made through any of them are attributed, priced and held to
 * budgets. A LangChain4j listener cannot stop a call; the HTTP layer can.
 */
@NullMarked
package dev.attribution.langchain4j;

import org.jspecify.annotations.NullMarked;
