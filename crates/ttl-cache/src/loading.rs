//! Single-flight loading: concurrent misses on one key run one loader and share its result.
//!
//! The loader runs inside the first caller's future (the leader), not in a spawned task, so it
//! needs neither `Send` nor `'static` and works on any runtime. If the leader's future is
//! dropped, a guard marks the flight abandoned and wakes the waiters; one of them becomes the
//! new leader and runs its own loader.

use std::convert::Infallible;
use std::future::Future;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use dashmap::mapref::entry::Entry as MapEntry;

use crate::cache::TtlCache;
use crate::clock::duration_to_nanos;
use crate::flight::{Flight, Outcome, SharedError};

/// What a caller does after looking at the flight table.
enum Role<V> {
    /// The value appeared in the cache meanwhile.
    Found(V),
    Lead(Arc<Flight<V>>),
    Wait(Arc<Flight<V>>),
}

impl<K, V, T, S> TtlCache<K, V, T, S>
where
    K: Hash + Eq + Clone,
    V: Clone,
    T: Hash + Eq + Clone,
    S: BuildHasher + Clone,
{
    /// Returns the live value for `key`, or runs `loader` to produce, store and return it,
    /// with the default TTL and the given `tags`.
    ///
    /// Concurrent callers missing on the same key share one loader run: the first runs its
    /// loader, the others wait and receive a clone of its value, or the same `Arc` of its error.
    /// Errors are not cached. Cancel-safe: dropping this future never blocks or fails other
    /// callers; if it was running the loader, a waiting caller runs its own loader instead.
    ///
    /// # Errors
    /// The loader's error, shared by every caller of that flight.
    pub async fn get_or_try_insert_with<F, Fut, E>(
        &self,
        key: K,
        tags: &[T],
        loader: F,
    ) -> Result<V, Arc<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
        E: Send + Sync + 'static,
    {
        self.get_or_try_insert_with_ttl(
            key,
            tags,
            Duration::from_nanos(self.default_ttl_nanos()),
            loader,
        )
        .await
    }

    /// [`get_or_try_insert_with`](Self::get_or_try_insert_with) with a TTL for this entry.
    ///
    /// # Errors
    /// The loader's error, shared by every caller of that flight.
    pub async fn get_or_try_insert_with_ttl<F, Fut, E>(
        &self,
        key: K,
        tags: &[T],
        ttl: Duration,
        loader: F,
    ) -> Result<V, Arc<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
        E: Send + Sync + 'static,
    {
        self.get_or_try_insert_limited(key, tags, ttl, move || async move {
            loader().await.map(|value| (value, None))
        })
        .await
    }

    /// Like [`get_or_try_insert_with`](Self::get_or_try_insert_with), but the loader may
    /// shorten the entry's life: it returns the value and, optionally, the longest the value
    /// may be kept (for example the remaining lifetime of a copy taken from another cache, so
    /// that this copy does not outlive it). The entry lives the shorter of that and the
    /// default TTL; a zero limit returns the value without storing it.
    ///
    /// # Errors
    /// The loader's error, shared by every caller of that flight.
    pub async fn get_or_try_insert_with_limit<F, Fut, E>(
        &self,
        key: K,
        tags: &[T],
        loader: F,
    ) -> Result<V, Arc<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(V, Option<Duration>), E>>,
        E: Send + Sync + 'static,
    {
        let ttl = Duration::from_nanos(self.default_ttl_nanos());
        self.get_or_try_insert_limited(key, tags, ttl, loader).await
    }

    async fn get_or_try_insert_limited<F, Fut, E>(
        &self,
        key: K,
        tags: &[T],
        ttl: Duration,
        loader: F,
    ) -> Result<V, Arc<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(V, Option<Duration>), E>>,
        E: Send + Sync + 'static,
    {
        if let Some(value) = self.lookup(&key) {
            self.stats.hits.increment();
            return Ok(value);
        }
        self.stats.misses.increment();
        loop {
            match self.join_or_lead(&key, tags) {
                Role::Found(value) => return Ok(value),
                Role::Lead(flight) => return self.lead(key, ttl, flight, loader).await,
                Role::Wait(flight) => {
                    self.stats.coalesced_waits.increment();
                    match flight.wait().await {
                        Outcome::Loaded(value) => return Ok(value),
                        Outcome::Failed(error) => match error.downcast::<E>() {
                            Ok(error) => return Err(error),
                            // The leader's loader had another error type: load for ourselves.
                            Err(_) => continue,
                        },
                        Outcome::Abandoned => continue,
                    }
                }
            }
        }
    }

    /// Infallible variant of [`get_or_try_insert_with`](Self::get_or_try_insert_with).
    pub async fn get_or_insert_with<F, Fut>(&self, key: K, tags: &[T], loader: F) -> V
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = V>,
    {
        let result = self
            .get_or_try_insert_with(key, tags, || async { Ok::<V, Infallible>(loader().await) })
            .await;
        match result {
            Ok(value) => value,
            Err(never) => match *never {},
        }
    }

    fn join_or_lead(&self, key: &K, tags: &[T]) -> Role<V> {
        match self.flights.entry(key.clone()) {
            MapEntry::Occupied(mut occupied) => {
                if self.flight_is_current(occupied.get()) {
                    return Role::Wait(Arc::clone(occupied.get()));
                }
                // That load was invalidated after it started: its result is for the callers
                // already waiting, not for us. Start a fresh one in its place.
                let flight = self.new_flight(tags);
                occupied.insert(Arc::clone(&flight));
                Role::Lead(flight)
            }
            MapEntry::Vacant(vacant) => {
                // A leader stores its value before leaving the table, so a value stored since
                // our miss is visible now: re-checking here prevents a second load.
                if let Some(value) = self.lookup(key) {
                    return Role::Found(value);
                }
                let flight = self.new_flight(tags);
                vacant.insert(Arc::clone(&flight));
                Role::Lead(flight)
            }
        }
    }

    fn new_flight(&self, tags: &[T]) -> Arc<Flight<V>> {
        // Epoch and tag generations are read before the loader starts: any invalidation from
        // here on makes the flight's result unstorable.
        let epoch = self.clear_epoch.load(Ordering::SeqCst);
        Arc::new(Flight::new(self.tags.stamp(tags), epoch))
    }

    async fn lead<F, Fut, E>(
        &self,
        key: K,
        ttl: Duration,
        flight: Arc<Flight<V>>,
        loader: F,
    ) -> Result<V, Arc<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(V, Option<Duration>), E>>,
        E: Send + Sync + 'static,
    {
        let guard = LeaderGuard {
            cache: self,
            key: &key,
            flight: &flight,
            finished: false,
        };
        self.stats.loads.increment();
        let result = loader().await;
        match result {
            Ok((value, limit)) => {
                let ttl = limit.map_or(ttl, |limit| limit.min(ttl));
                let stored = !ttl.is_zero()
                    && self.store(
                        key.clone(),
                        value.clone(),
                        duration_to_nanos(ttl),
                        flight.stamps().clone(),
                        Some(&flight),
                    );
                if !stored {
                    self.stats.discarded_loads.increment();
                }
                guard.finish(Outcome::Loaded(value.clone()));
                Ok(value)
            }
            Err(error) => {
                self.stats.load_errors.increment();
                let error = Arc::new(error);
                let shared: SharedError = Arc::clone(&error) as SharedError;
                guard.finish(Outcome::Failed(shared));
                Err(error)
            }
        }
    }
}

/// Ends the leader's flight however the leader's future ends: with an outcome, or abandoned
/// when the future is dropped mid-load.
struct LeaderGuard<'a, K, V, T, S>
where
    K: Hash + Eq + Clone,
    V: Clone,
    T: Hash + Eq + Clone,
    S: BuildHasher + Clone,
{
    cache: &'a TtlCache<K, V, T, S>,
    key: &'a K,
    flight: &'a Arc<Flight<V>>,
    finished: bool,
}

impl<K, V, T, S> LeaderGuard<'_, K, V, T, S>
where
    K: Hash + Eq + Clone,
    V: Clone,
    T: Hash + Eq + Clone,
    S: BuildHasher + Clone,
{
    fn finish(mut self, outcome: Outcome<V>) {
        self.finished = true;
        self.end(outcome);
    }

    fn end(&self, outcome: Outcome<V>) {
        // Leave the table first so that no new caller joins a finished flight; waiters that
        // already hold the flight are woken by `finish`.
        self.cache
            .flights
            .remove_if(self.key, |_, f| Arc::ptr_eq(f, self.flight));
        self.flight.finish(outcome);
    }
}

impl<K, V, T, S> Drop for LeaderGuard<'_, K, V, T, S>
where
    K: Hash + Eq + Clone,
    V: Clone,
    T: Hash + Eq + Clone,
    S: BuildHasher + Clone,
{
    fn drop(&mut self) {
        if !self.finished {
            self.end(Outcome::Abandoned);
        }
    }
}
