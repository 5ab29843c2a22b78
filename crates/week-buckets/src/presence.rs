//! A week's entries: one [`Presence`] per item present, read off the week's bit words.

use std::iter::FusedIterator;

use crate::Status;
use crate::block::{BLOCK_ITEMS, WeekWord};

/// One entry of a week: which input item (by index) and its status in that week.
///
/// Packed into 4 bytes (30-bit item index, 2-bit status).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Presence(u32);

/// 2-bit status codes: `EXISTING − new + gone` gives the code from an entry's two bits.
const NEW: u32 = 0;
const EXISTING: u32 = 1;

impl Presence {
    /// Largest number of items one timeline can index (2³⁰).
    pub const MAX_ITEMS: usize = 1 << 30;
    const INDEX_MASK: u32 = (1 << 30) - 1;

    /// Index of the item in the input slice.
    pub const fn item_index(&self) -> usize {
        (self.0 & Self::INDEX_MASK) as usize
    }

    /// The item's status in this week.
    pub const fn status(&self) -> Status {
        match self.0 >> 30 {
            NEW => Status::New,
            EXISTING => Status::Existing,
            _ => Status::Disappeared,
        }
    }
}

/// The entries of one week in input order: the set bits of its words, block after block.
///
/// Created by [`WeekBucket::presences`](crate::WeekBucket::presences).
#[derive(Debug, Clone)]
pub struct Presences<'t> {
    /// Indices into `words` of this week's words, in block order.
    order: std::slice::Iter<'t, usize>,
    words: &'t [WeekWord],
    /// The word being read, its bits cleared as they are yielded.
    current: WeekWord,
    remaining: usize,
}

impl<'t> Presences<'t> {
    /// The entries of the words `order` (ascending blocks) that hold `len` set bits in all.
    pub(crate) fn new(words: &'t [WeekWord], order: &'t [usize], len: usize) -> Self {
        Self {
            order: order.iter(),
            words,
            current: WeekWord {
                block: 0,
                week: 0,
                present: 0,
                new: 0,
                gone: 0,
            },
            remaining: len,
        }
    }
}

impl Iterator for Presences<'_> {
    type Item = Presence;

    #[inline]
    fn next(&mut self) -> Option<Presence> {
        while self.current.present == 0 {
            self.current = self.words[*self.order.next()?];
        }
        let word = &mut self.current;
        let slot = word.present.trailing_zeros();
        word.present &= word.present - 1;
        let code = EXISTING - ((word.new >> slot) & 1) as u32 + ((word.gone >> slot) & 1) as u32;
        // The builder rejects more than MAX_ITEMS (2³⁰) items, so the index fits in 30 bits.
        let item = word.block * BLOCK_ITEMS as u32 + slot;
        self.remaining -= 1;
        Some(Presence(item | (code << 30)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

impl ExactSizeIterator for Presences<'_> {}

impl FusedIterator for Presences<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bits_in_order_with_their_status() {
        let words = [
            WeekWord {
                block: 0,
                week: 0,
                present: 0b1011,
                new: 0b0001,
                gone: 0b1000,
            },
            WeekWord {
                block: 2,
                week: 0,
                present: 1 << 63,
                new: 0,
                gone: 0,
            },
        ];
        let got: Vec<(usize, Status)> = Presences::new(&words, &[0, 1], 4)
            .map(|p| (p.item_index(), p.status()))
            .collect();
        assert_eq!(
            got,
            [
                (0, Status::New),
                (1, Status::Existing),
                (3, Status::Disappeared),
                (2 * 64 + 63, Status::Existing),
            ]
        );
    }

    #[test]
    fn the_largest_index_keeps_its_status() {
        let block = ((Presence::MAX_ITEMS - 1) / BLOCK_ITEMS) as u32;
        let words = [WeekWord {
            block,
            week: 0,
            present: 1 << 63,
            new: 0,
            gone: 1 << 63,
        }];
        let p = Presences::new(&words, &[0], 1).next();
        assert_eq!(
            p.map(|p| (p.item_index(), p.status())),
            Some((Presence::MAX_ITEMS - 1, Status::Disappeared))
        );
        assert_eq!(size_of::<Presence>(), 4);
    }
}
