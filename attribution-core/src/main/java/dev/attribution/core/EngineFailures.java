package dev.attribution.core;

/**
 * Where the parts that decide a call report a failure inside attribution: the engine counts it and
 * logs it at a bounded rate. The call proceeds either way.
 */
interface EngineFailures {

  /** A payload of {@code provider}'s could not be parsed. */
  void parseFailure(String provider, Exception e);

  /** Attribution itself failed while doing {@code what}. */
  void internalFailure(String what, Throwable e);
}
