//! Which user each request is for: uniform, or Zipf-skewed so a few users are very popular (what
//! a response cache sees in practice).

use clap::ValueEnum;
use rand::Rng;

/// How users are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    /// Every user equally likely.
    Uniform,
    /// Zipf with exponent 1: the k-th most popular user is drawn with weight 1/k.
    Zipf,
}

/// Draws user indexes in `0..n`.
#[derive(Debug, Clone)]
pub struct UserPicker {
    n: usize,
    /// Cumulative Zipf weights, normalised to end at 1.0; empty for uniform.
    cdf: Vec<f64>,
}

impl UserPicker {
    /// A picker over `n` users (at least one).
    pub fn new(n: usize, distribution: Distribution) -> Self {
        let n = n.max(1);
        let cdf = match distribution {
            Distribution::Uniform => Vec::new(),
            Distribution::Zipf => {
                let mut acc = 0.0;
                let mut cdf: Vec<f64> = (1..=n)
                    .map(|k| {
                        acc += 1.0 / k as f64;
                        acc
                    })
                    .collect();
                for c in &mut cdf {
                    *c /= acc;
                }
                cdf
            }
        };
        Self { n, cdf }
    }

    /// The next user index.
    pub fn pick<R: Rng>(&self, rng: &mut R) -> usize {
        if self.cdf.is_empty() {
            return rng.random_range(0..self.n);
        }
        let u: f64 = rng.random();
        self.cdf.partition_point(|&c| c < u).min(self.n - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn zipf_prefers_the_first_users_and_stays_in_range() {
        let picker = UserPicker::new(1_000, Distribution::Zipf);
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut first = 0;
        for _ in 0..10_000 {
            let i = picker.pick(&mut rng);
            assert!(i < 1_000);
            first += usize::from(i == 0);
        }
        // 1/H(1000) ≈ 13.4 % of draws go to the most popular user.
        assert!((1_000..1_700).contains(&first), "{first}");
    }

    #[test]
    fn uniform_covers_the_range() {
        let picker = UserPicker::new(3, Distribution::Uniform);
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let mut seen = [false; 3];
        for _ in 0..100 {
            seen[picker.pick(&mut rng)] = true;
        }
        assert_eq!(seen, [true; 3]);
    }
}
