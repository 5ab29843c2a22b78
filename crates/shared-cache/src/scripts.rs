//! The Lua scripts that make each operation one atomic round trip.
//!
//! Reading the generation and then the value in two commands would leave a window in which
//! another instance's invalidation lands between them; a script runs atomically on the server,
//! so a read sees either the old generation and (possibly) its value, or the new generation.

use redis::Script;

/// `KEYS[1]` generation key; `ARGV[1]`, `ARGV[2]` data key before / after the generation.
/// Returns `{generation, value or false, server time in ms, the value's remaining lifetime in
/// ms (-2 without a value)}` (Lua `false` reaches the client as nil). A missing generation key means generation `0`. The server time lets the caller
/// tell how long ago the generation (a server time itself) was set, without trusting its own
/// clock to agree with the server's.
const LOOKUP: &str = r"
local generation = redis.call('GET', KEYS[1]) or '0'
local key = ARGV[1] .. generation .. ARGV[2]
local value = redis.call('GET', key)
local left_ms = -2
if value then
  left_ms = redis.call('PTTL', key)
end
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
return {generation, value, string.format('%.0f', now_ms), left_ms}
";

/// `KEYS[1]` generation key; `ARGV[1]`, `ARGV[2]` data key parts; `ARGV[3]` value;
/// `ARGV[4]` TTL in ms; `ARGV[5]` expected generation, or `''` for "whatever is current".
/// Returns 1 when stored, 0 when the generation moved on since the caller's lookup.
/// `SET .. PX` gives a fixed expiry; nothing in this crate ever extends it.
const STORE: &str = r"
local generation = redis.call('GET', KEYS[1]) or '0'
if ARGV[5] ~= '' and ARGV[5] ~= generation then
  return 0
end
redis.call('SET', ARGV[1] .. generation .. ARGV[2], ARGV[3], 'PX', ARGV[4])
return 1
";

/// `KEYS[1]` generation key; `ARGV[1]` generation TTL in ms; `ARGV[2]` channel; `ARGV[3]` user.
/// Sets the generation to max(current + 1, server time in ms): strictly increasing while the
/// key lives, and larger than every earlier value even after the key expired and is created
/// again, so a generation is never reused (while the server clock does not jump back by more
/// than the generation TTL). Never shortens a longer remaining TTL set by another instance.
/// Publishes the user id in the same round trip. Returns the new generation.
const INVALIDATE: &str = r"
local now = redis.call('TIME')
local now_ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local next_generation = tonumber(redis.call('GET', KEYS[1]) or '0') + 1
if now_ms > next_generation then
  next_generation = now_ms
end
local keep_ms = tonumber(ARGV[1])
local left_ms = redis.call('PTTL', KEYS[1])
if left_ms > keep_ms then
  keep_ms = left_ms
end
local encoded = string.format('%.0f', next_generation)
redis.call('SET', KEYS[1], encoded, 'PX', keep_ms)
redis.call('PUBLISH', ARGV[2], ARGV[3])
return encoded
";

/// The three scripts, hashed once per tier.
#[derive(Debug)]
pub(crate) struct Scripts {
    pub(crate) lookup: Script,
    pub(crate) store: Script,
    pub(crate) invalidate: Script,
}

impl Scripts {
    pub(crate) fn new() -> Self {
        Self {
            lookup: Script::new(LOOKUP),
            store: Script::new(STORE),
            invalidate: Script::new(INVALIDATE),
        }
    }
}
