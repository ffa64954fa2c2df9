package dev.attribution.budget.redis;

/**
 * The Lua scripts, one per store operation, so every operation is one atomic round trip.
 *
 * <p>Keys, under the store's prefix {@code P}: {@code P s:<slot>} a hash per counter ({@code sn rn
 * st rt sq rq} spent/reserved nanos, tokens, requests, {@code cr} credit; rolling windows also
 * {@code lb} the newest bucket and {@code bn<i> bt<i> bq<i>} per ring bucket), {@code P r:<id>} a
 * hash per open reservation ({@code e} expiry, {@code c} count, {@code k<i> b<i> n<i> t<i> q<i>}
 * per counter, {@code x} set once expired), {@code P rx} a sorted set of open reservation ids by
 * expiry, and {@code P epoch} a random token that changes when Redis lost its data. Every amount is
 * written with HINCRBY from the caller's integer string, so stored values are exact; comparisons
 * run on Lua numbers, exact below 2^53.
 */
final class LuaScripts {

  private LuaScripts() {}

  private static final String COMMON =
      """
      local P = KEYS[1]
      local N = 60
      -- Negates an integer string exactly (Lua numbers would print large values as 1.2e+17).
      local function neg(v)
        if not v or v == '0' then return '0' end
        if string.sub(v, 1, 1) == '-' then return string.sub(v, 2) end
        return '-'..v
      end
      -- Rolling windows: drop buckets that slid out of the window. Creates lb only if asked.
      local function advance(k, bucket, now, create)
        if bucket <= 0 then return end
        local idx = math.floor(now / bucket)
        local lb = redis.call('HGET', k, 'lb')
        if not lb then
          if create then redis.call('HSET', k, 'lb', string.format('%d', idx)) end
          return
        end
        lb = tonumber(lb)
        if idx <= lb then return end
        local steps = math.min(idx - lb, N)
        for j = 1, steps do
          local b = (lb + j) % N
          local v = redis.call('HMGET', k, 'bn'..b, 'bt'..b, 'bq'..b)
          if v[1] or v[2] or v[3] then
            redis.call('HINCRBY', k, 'sn', neg(v[1]))
            redis.call('HINCRBY', k, 'st', neg(v[2]))
            redis.call('HINCRBY', k, 'sq', neg(v[3]))
            redis.call('HDEL', k, 'bn'..b, 'bt'..b, 'bq'..b)
          end
        end
        redis.call('HSET', k, 'lb', string.format('%d', idx))
      end
      local function addSpent(k, bucket, now, n, t, q)
        if bucket > 0 then
          advance(k, bucket, now, true)
          local idx = math.floor(now / bucket)
          local lb = tonumber(redis.call('HGET', k, 'lb'))
          if idx <= lb - N then return end
          local b = math.min(idx, lb) % N
          redis.call('HINCRBY', k, 'bn'..b, n)
          redis.call('HINCRBY', k, 'bt'..b, t)
          redis.call('HINCRBY', k, 'bq'..b, q)
        end
        redis.call('HINCRBY', k, 'sn', n)
        redis.call('HINCRBY', k, 'st', t)
        redis.call('HINCRBY', k, 'sq', q)
      end
      local function extend(k, ttl)
        if ttl < 0 then return end
        local cur = redis.call('PTTL', k)
        if cur == -1 or cur < ttl then redis.call('PEXPIRE', k, ttl) end
      end
      local function state(k)
        local v = redis.call('HMGET', k, 'sn', 'rn', 'st', 'rt', 'sq', 'rq', 'cr')
        for i = 1, 7 do if not v[i] then v[i] = '0' end end
        return v
      end
      local function fits(used, amount, cap)
        if cap < 0 then return true end
        if amount == 0 then return used < cap end
        return amount <= cap and used + amount <= cap
      end
      -- Ends reservation r: removes its reserved amounts and adds n/t/q as spent to each counter,
      -- or with own = true each counter's own reserved amounts (expiry charges in full).
      local function finish(rk, id, now, n, t, q, own)
        local c = tonumber(redis.call('HGET', rk, 'c'))
        for i = 1, c do
          local f = redis.call('HMGET', rk, 'k'..i, 'b'..i, 'n'..i, 't'..i, 'q'..i)
          local k = P..'s:'..f[1]
          if redis.call('EXISTS', k) == 1 then
            local bucket = tonumber(f[2])
            advance(k, bucket, now, false)
            redis.call('HINCRBY', k, 'rn', neg(f[3]))
            redis.call('HINCRBY', k, 'rt', neg(f[4]))
            redis.call('HINCRBY', k, 'rq', neg(f[5]))
            if own then
              addSpent(k, bucket, now, f[3], f[4], f[5])
            elseif n ~= '0' or t ~= '0' or q ~= '0' then
              addSpent(k, bucket, now, n, t, q)
            end
          end
        end
        redis.call('ZREM', P..'rx', id)
      end
      local function diff(a, b)
        return string.format('%d', tonumber(a) - tonumber(b))
      end
      local function epochOk(e)
        return redis.call('GET', P..'epoch') == e
      end
      """;

  /**
   * KEYS[1] prefix. ARGV: epoch, id, now, expiresAt, force, count, then per charge: slot, nanos,
   * tokens, requests, capNanos, capTokens, capRequests (-1 none), bucketMillis, ttlMillis (-1
   * none). Returns {1|0, rejectedIndex (0-based, -1), 7 state fields per charge...}, {-1} on a
   * foreign epoch, {-2} if the id is in use.
   */
  static final String RESERVE =
      COMMON
          + """
          if not epochOk(ARGV[1]) then return {-1} end
          local id = ARGV[2]
          local now = tonumber(ARGV[3])
          local force = ARGV[5] == '1'
          local c = tonumber(ARGV[6])
          local rk = P..'r:'..id
          if redis.call('EXISTS', rk) == 1 then
            if force then return {1, -1} end
            return {-2}
          end
          local out = {1, -1}
          local rejected = -1
          for i = 1, c do
            local o = 6 + (i - 1) * 9
            local k = P..'s:'..ARGV[o + 1]
            advance(k, tonumber(ARGV[o + 8]), now, false)
            local s = state(k)
            if not force and rejected < 0 then
              local capN = tonumber(ARGV[o + 5])
              if capN >= 0 then capN = capN + tonumber(s[7]) end
              if not (fits(tonumber(s[1]) + tonumber(s[2]), tonumber(ARGV[o + 2]), capN)
                  and fits(tonumber(s[3]) + tonumber(s[4]), tonumber(ARGV[o + 3]), tonumber(ARGV[o + 6]))
                  and fits(tonumber(s[5]) + tonumber(s[6]), tonumber(ARGV[o + 4]), tonumber(ARGV[o + 7]))) then
                rejected = i - 1
              end
            end
            for j = 1, 7 do out[#out + 1] = s[j] end
          end
          if rejected >= 0 then
            out[1] = 0
            out[2] = rejected
            return out
          end
          out = {1, -1}
          local rttl = 0
          redis.call('HSET', rk, 'e', ARGV[4], 'c', c)
          for i = 1, c do
            local o = 6 + (i - 1) * 9
            local k = P..'s:'..ARGV[o + 1]
            redis.call('HINCRBY', k, 'rn', ARGV[o + 2])
            redis.call('HINCRBY', k, 'rt', ARGV[o + 3])
            redis.call('HINCRBY', k, 'rq', ARGV[o + 4])
            local ttl = tonumber(ARGV[o + 9])
            extend(k, ttl)
            if ttl < 0 or rttl < 0 then rttl = -1 elseif ttl > rttl then rttl = ttl end
            redis.call('HSET', rk, 'k'..i, ARGV[o + 1], 'b'..i, ARGV[o + 8], 'n'..i, ARGV[o + 2],
                't'..i, ARGV[o + 3], 'q'..i, ARGV[o + 4])
            local s = state(k)
            for j = 1, 7 do out[#out + 1] = s[j] end
          end
          if rttl > 0 then redis.call('PEXPIRE', rk, rttl) end
          redis.call('ZADD', P..'rx', ARGV[4], id)
          return out
          """;

  /**
   * KEYS[1] prefix. ARGV: epoch, id, nanos, tokens, requests, now, replay. Returns 1 settled, 2
   * settled after expiry (the amounts charged at expiry replaced by these), 0 unknown (nothing
   * changes), -1 foreign epoch; with replay = 1 a missing one counts as already settled (returns
   * 3).
   */
  static final String SETTLE =
      COMMON
          + """
          if not epochOk(ARGV[1]) then return -1 end
          local id = ARGV[2]
          local now = tonumber(ARGV[6])
          local replay = ARGV[7] == '1'
          local rk = P..'r:'..id
          if redis.call('EXISTS', rk) == 0 then
            if replay then return 3 end
            return 0
          end
          if redis.call('HEXISTS', rk, 'x') == 1 then
            -- Expired, so charged in full: replace that charge by the actual amounts.
            local c = tonumber(redis.call('HGET', rk, 'c'))
            for i = 1, c do
              local f = redis.call('HMGET', rk, 'k'..i, 'b'..i, 'n'..i, 't'..i, 'q'..i)
              local k = P..'s:'..f[1]
              if redis.call('EXISTS', k) == 1 then
                addSpent(k, tonumber(f[2]), now, diff(ARGV[3], f[3]), diff(ARGV[4], f[4]),
                    diff(ARGV[5], f[5]))
              end
            end
            redis.call('DEL', rk)
            return 2
          end
          finish(rk, id, now, ARGV[3], ARGV[4], ARGV[5])
          redis.call('DEL', rk)
          return 1
          """;

  /**
   * KEYS[1] prefix. ARGV: now, limit. Ends up to {@code limit} reservations expired at {@code now}
   * by charging their reserved amounts as spent, keeping each as a tombstone (field x) for a day so
   * a late settle replaces that charge by the actual amounts. Returns how many.
   */
  static final String EXPIRE =
      COMMON
          + """
          local now = tonumber(ARGV[1])
          local ids = redis.call('ZRANGEBYSCORE', P..'rx', '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
          for _, id in ipairs(ids) do
            local rk = P..'r:'..id
            if redis.call('EXISTS', rk) == 1 and redis.call('HEXISTS', rk, 'x') == 0 then
              finish(rk, id, now, '0', '0', '0', true)
              redis.call('HSET', rk, 'x', '1')
              redis.call('PEXPIRE', rk, 86400000)
            else
              redis.call('ZREM', P..'rx', id)
            end
          end
          return #ids
          """;

  /** KEYS[1] prefix. ARGV: slot, bucketMillis, now. Returns the 7 state fields. */
  static final String STATE =
      COMMON
          + """
          local k = P..'s:'..ARGV[1]
          if redis.call('EXISTS', k) == 0 then return {'0','0','0','0','0','0','0'} end
          advance(k, tonumber(ARGV[2]), tonumber(ARGV[3]), false)
          return state(k)
          """;

  /**
   * KEYS[1] prefix. ARGV: epoch, slot, nanos, tokens, requests, credit, bucketMillis, ttlMillis,
   * now. Adds spent amounts and credit. Returns 1, or -1 on a foreign epoch.
   */
  static final String ADD =
      COMMON
          + """
          if not epochOk(ARGV[1]) then return -1 end
          local k = P..'s:'..ARGV[2]
          local now = tonumber(ARGV[9])
          if ARGV[3] ~= '0' or ARGV[4] ~= '0' or ARGV[5] ~= '0' then
            addSpent(k, tonumber(ARGV[7]), now, ARGV[3], ARGV[4], ARGV[5])
          end
          if ARGV[6] ~= '0' then redis.call('HINCRBY', k, 'cr', ARGV[6]) end
          extend(k, tonumber(ARGV[8]))
          return 1
          """;

  /**
   * KEYS[1] prefix. ARGV: candidate epoch. Sets the epoch if absent and returns the current one.
   */
  static final String EPOCH =
      """
      redis.call('SET', KEYS[1]..'epoch', ARGV[1], 'NX')
      return redis.call('GET', KEYS[1]..'epoch')
      """;

  /** KEYS[1] prefix. ARGV: member, ttlMillis. Marks an event as fired; returns 1 the first time. */
  static final String FIRE_ONCE =
      """
      local ok = redis.call('SET', KEYS[1]..'f:'..ARGV[1], '1', 'NX', 'PX', ARGV[2])
      if ok then return 1 end
      return 0
      """;
}
