/**
 * A help-desk service on Spring Boot with the attribution starter: the whole integration is the
 * starter dependency, {@code application.yaml} and the interceptor added to the openai-java client
 * bean.
 */
@NullMarked
package dev.attribution.examples.spring;

import org.jspecify.annotations.NullMarked;
