//! HS256 bearer tokens for the generated users, minted once before the run so signing costs
//! nothing during measurement.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

#[derive(Serialize)]
struct Claims<'a> {
    sub: &'a str,
    exp: u64,
}

/// Mints one token per user id, valid for `ttl_secs` from now.
pub fn mint_all(secret: &str, user_ids: &[String], ttl_secs: u64) -> Result<Vec<String>, String> {
    let key = EncodingKey::from_secret(secret.as_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let header = Header::new(Algorithm::HS256);
    user_ids
        .iter()
        .map(|sub| {
            jsonwebtoken::encode(
                &header,
                &Claims {
                    sub,
                    exp: now + ttl_secs,
                },
                &key,
            )
            .map_err(|e| format!("cannot sign a token: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_with_the_same_secret_only() {
        let tokens = mint_all(
            "s3cret-s3cret-s3cret-s3cret-s3cret",
            &["user-00001".to_owned()],
            60,
        )
        .expect("signs");
        let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "sub"]);
        #[derive(serde::Deserialize)]
        struct Back {
            sub: String,
        }
        let ok = jsonwebtoken::decode::<Back>(
            &tokens[0],
            &jsonwebtoken::DecodingKey::from_secret(b"s3cret-s3cret-s3cret-s3cret-s3cret"),
            &validation,
        )
        .expect("verifies");
        assert_eq!(ok.claims.sub, "user-00001");
        assert!(
            jsonwebtoken::decode::<Back>(
                &tokens[0],
                &jsonwebtoken::DecodingKey::from_secret(b"another-secret-another-secret-xx"),
                &validation
            )
            .is_err()
        );
    }
}
