use insights_shared_cache::{SharedTier, SharedTierConfig, SharedTierError};

use crate::support::SHARED_REDIS_URL;

#[test]
fn outside_a_runtime_is_an_error_not_a_panic() {
    let result = SharedTier::new(SHARED_REDIS_URL, SharedTierConfig::default());
    assert!(matches!(result, Err(SharedTierError::NoRuntime)));
}

#[tokio::test]
async fn invalid_url_and_invalid_config_are_errors() {
    let bad_url = SharedTier::new("not a url", SharedTierConfig::default());
    assert!(matches!(bad_url, Err(SharedTierError::InvalidUrl(_))));
    let bad_config = SharedTierConfig {
        key_prefix: String::new(),
        ..SharedTierConfig::default()
    };
    let result = SharedTier::new(SHARED_REDIS_URL, bad_config);
    assert!(matches!(result, Err(SharedTierError::InvalidConfig(_))));
}
