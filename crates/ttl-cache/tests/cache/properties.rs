//! Model-based properties: the cache against a plain map with deadlines and tag generations.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use insights_ttl_cache::{ManualClock, TtlCache};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Insert {
        key: u8,
        value: u32,
        ttl_secs: u8,
        tag: u8,
    },
    Get {
        key: u8,
    },
    Remove {
        key: u8,
    },
    Advance {
        secs: u8,
    },
    InvalidateTag {
        tag: u8,
    },
    Purge,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..32u8, any::<u32>(), 1..20u8, 0..4u8)
            .prop_map(|(key, value, ttl_secs, tag)| Op::Insert { key, value, ttl_secs, tag }),
        4 => (0..32u8).prop_map(|key| Op::Get { key }),
        1 => (0..32u8).prop_map(|key| Op::Remove { key }),
        2 => (0..10u8).prop_map(|secs| Op::Advance { secs }),
        1 => (0..4u8).prop_map(|tag| Op::InvalidateTag { tag }),
        1 => Just(Op::Purge),
    ]
}

fn tag_name(tag: u8) -> Arc<str> {
    Arc::from(format!("tag{tag}"))
}

proptest! {
    /// With room for every key, the cache behaves exactly like the model.
    #[test]
    fn unbounded_cache_matches_model(ops in prop::collection::vec(op(), 1..200)) {
        let clock = ManualClock::new();
        let cache: TtlCache<u8, u32> = TtlCache::builder(1_000, Duration::from_secs(60))
            .clock(clock.clone())
            .build()
            .expect("valid configuration");
        // key -> (value, expires_at_secs, tag)
        let mut model: HashMap<u8, (u32, u64, u8)> = HashMap::new();
        let mut now = 0u64;
        for op in ops {
            match op {
                Op::Insert { key, value, ttl_secs, tag } => {
                    cache.insert_with_ttl(key, value, Duration::from_secs(u64::from(ttl_secs)), &[tag_name(tag)]);
                    model.insert(key, (value, now + u64::from(ttl_secs), tag));
                }
                Op::Get { key } => {
                    let expected = model.get(&key).filter(|(_, exp, _)| now < *exp).map(|(v, _, _)| *v);
                    prop_assert_eq!(cache.get(&key), expected);
                }
                Op::Remove { key } => {
                    let expected = model.remove(&key).filter(|(_, exp, _)| now < *exp).map(|(v, _, _)| v);
                    prop_assert_eq!(cache.remove(&key), expected);
                }
                Op::Advance { secs } => {
                    clock.advance(Duration::from_secs(u64::from(secs)));
                    now += u64::from(secs);
                }
                Op::InvalidateTag { tag } => {
                    cache.invalidate_tag(tag_name(tag).as_ref());
                    model.retain(|_, (_, _, t)| *t != tag);
                }
                Op::Purge => {
                    cache.purge_expired();
                    model.retain(|_, (_, exp, _)| now < *exp);
                    prop_assert_eq!(cache.len(), model.len());
                }
            }
            prop_assert!(cache.len() >= model.values().filter(|(_, exp, _)| now < *exp).count());
        }
    }

    /// With a small bound, the cache never holds more than the bound and never returns a
    /// value other than the last one written for that key.
    #[test]
    fn bounded_cache_stays_bounded_and_fresh(
        capacity in 1..16usize,
        ops in prop::collection::vec(op(), 1..300),
    ) {
        let clock = ManualClock::new();
        let cache: TtlCache<u8, u32> = TtlCache::builder(capacity, Duration::from_secs(60))
            .clock(clock.clone())
            .build()
            .expect("valid configuration");
        let mut last_written: HashMap<u8, (u32, u64, u8)> = HashMap::new();
        let mut now = 0u64;
        for op in ops {
            match op {
                Op::Insert { key, value, ttl_secs, tag } => {
                    cache.insert_with_ttl(key, value, Duration::from_secs(u64::from(ttl_secs)), &[tag_name(tag)]);
                    last_written.insert(key, (value, now + u64::from(ttl_secs), tag));
                }
                Op::Get { key } => {
                    if let Some(value) = cache.get(&key) {
                        let (expected, exp, _) = last_written.get(&key).copied().expect("only written keys are found");
                        prop_assert_eq!(value, expected);
                        prop_assert!(now < exp);
                    }
                }
                Op::Remove { key } => {
                    cache.remove(&key);
                    last_written.remove(&key);
                }
                Op::Advance { secs } => {
                    clock.advance(Duration::from_secs(u64::from(secs)));
                    now += u64::from(secs);
                }
                Op::InvalidateTag { tag } => {
                    cache.invalidate_tag(tag_name(tag).as_ref());
                    last_written.retain(|_, (_, _, t)| *t != tag);
                }
                Op::Purge => {
                    cache.purge_expired();
                }
            }
            prop_assert!(cache.len() <= capacity);
            prop_assert_eq!(cache.stats().entries, cache.len() as u64);
        }
    }
}
