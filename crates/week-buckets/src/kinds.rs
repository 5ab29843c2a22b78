//! Dense indices for caller-supplied kind keys, in order of first appearance.

use std::collections::HashMap;
use std::hash::Hash;

/// Maps kind keys to dense indices in order of first appearance.
pub(crate) struct KindInterner<K> {
    index: HashMap<K, usize>,
    keys: Vec<K>,
    /// The previous item's kind: database rows arrive grouped by kind (the original orders by
    /// `patternType`), so this check usually skips hashing altogether.
    last: Option<(K, usize)>,
}

impl<K> Default for KindInterner<K> {
    fn default() -> Self {
        Self {
            index: HashMap::new(),
            keys: Vec::new(),
            last: None,
        }
    }
}

impl<K: Eq + Hash + Clone> KindInterner<K> {
    /// The dense index of `key`, assigning the next one if it is new.
    #[inline]
    pub(crate) fn intern(&mut self, key: K) -> usize {
        if let Some((last, index)) = &self.last
            && *last == key
        {
            return *index;
        }
        self.intern_other(key)
    }

    /// The hashing path, out of line so that the common case above inlines into the
    /// per-item loop.
    #[inline(never)]
    fn intern_other(&mut self, key: K) -> usize {
        let index = match self.index.get(&key) {
            Some(&index) => index,
            None => {
                let index = self.keys.len();
                self.keys.push(key.clone());
                self.index.insert(key.clone(), index);
                index
            }
        };
        self.last = Some((key, index));
        index
    }

    /// The keys, indexed by their dense index.
    pub(crate) fn into_keys(self) -> Vec<K> {
        self.keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_follow_first_appearance() {
        let mut kinds = KindInterner::default();
        let got: Vec<usize> = ["b", "b", "a", "b", "c", "a"]
            .into_iter()
            .map(|k| kinds.intern(k))
            .collect();
        assert_eq!(got, [0, 0, 1, 0, 2, 1]);
        assert_eq!(kinds.into_keys(), ["b", "a", "c"]);
    }
}
