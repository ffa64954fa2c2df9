package dev.attribution.core.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.attribution.api.CostBreakdown;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** {@link Money#toNanos} gives what rounding, clamping and taking the unscaled value gives. */
class MoneyTest {

  @Provide
  Arbitrary<BigDecimal> amount() {
    return Arbitraries.oneOf(
        Arbitraries.longs()
            .flatMap(
                u -> Arbitraries.integers().between(-5, 20).map(s -> BigDecimal.valueOf(u, s))),
        Arbitraries.bigIntegers()
            .between(BigInteger.TWO.pow(70).negate(), BigInteger.TWO.pow(70))
            .flatMap(u -> Arbitraries.integers().between(0, 20).map(s -> new BigDecimal(u, s))),
        Arbitraries.of(
            Money.MAX,
            Money.MAX.add(new BigDecimal("0.0000000004")),
            Money.MAX.add(new BigDecimal("0.0000000005")),
            BigDecimal.ZERO,
            new BigDecimal("-0.0000000004")));
  }

  @Property(tries = 3000)
  void sameAsTheUnscaledValueOfTheRoundedAmount(@ForAll("amount") BigDecimal amount) {
    BigDecimal scaled = amount.setScale(CostBreakdown.SCALE, RoundingMode.HALF_EVEN);
    long expected =
        scaled.compareTo(Money.MAX) > 0
            ? Long.MAX_VALUE
            : scaled.signum() < 0 ? 0L : scaled.unscaledValue().longValue();
    assertThat(Money.toNanos(amount)).isEqualTo(expected);
  }
}
