//! Identity (docs/compatibility.md, section 1): `Authorization: Bearer <JWT>`, HS256, `sub` = user
//! id, optional `role: "service"`, `exp` required and checked.
//!
//! The original trusted any `userId` parameter or picked "the first user in the table"; here the
//! token says who calls, and `Caller::may_act_for` decides whose data a request may touch.

mod verified_tokens;

use std::future::{Ready, ready};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use insights_service::Caller;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use verified_tokens::VerifiedTokens;

/// The role claim value of trusted back-office callers.
pub const SERVICE_ROLE: &str = "service";

/// Clock skew tolerated when checking `exp`, in seconds.
const LEEWAY_SECS: u64 = 30;

/// The claims we read and write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user id.
    pub sub: String,
    /// Expiry, seconds since the Unix epoch.
    pub exp: u64,
    /// Issued at, seconds since the Unix epoch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// `"service"` for trusted callers; anything else (or nothing) is an ordinary user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// The HS256 key pair derived from the configured secret, and the tokens it verified lately.
///
/// Clones share the memo of verified tokens (they share the secret too).
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    verified: Arc<VerifiedTokens>,
}

impl std::fmt::Debug for JwtKeys {
    // Never print key material.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(HS256, <secret>)")
    }
}

impl JwtKeys {
    /// Keys for `secret`.
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = LEEWAY_SECS;
        validation.set_required_spec_claims(&["exp", "sub"]);
        // A token that is not valid yet must not be accepted (RFC 7519 §4.1.5); jsonwebtoken
        // only checks `nbf` when asked.
        validation.validate_nbf = true;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            verified: Arc::new(VerifiedTokens::new()),
        }
    }

    /// Signs a token for `user`, valid for `ttl` from now.
    pub fn issue(&self, user: &str, service: bool, ttl: Duration) -> Result<String, ApiError> {
        let now = unix_now();
        let claims = Claims {
            sub: user.to_owned(),
            exp: now.saturating_add(ttl.as_secs()),
            iat: Some(now),
            role: service.then(|| SERVICE_ROLE.to_owned()),
        };
        self.sign(&claims)
    }

    /// Signs arbitrary claims (tests use it for expired tokens).
    pub fn sign(&self, claims: &Claims) -> Result<String, ApiError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
            .map_err(|e| ApiError::Internal(format!("cannot sign token: {e}")))
    }

    /// Verifies a token (signature, algorithm, `exp`, `nbf`) and returns the caller it names.
    ///
    /// A token that verified is remembered until it expires (at most a few minutes), so a
    /// client's next requests with it skip the decoding and the HMAC.
    pub fn verify(&self, token: &str) -> Result<Caller, ApiError> {
        if let Some(caller) = self.verified.get(token) {
            return Ok(caller);
        }
        let claims = self.decode(token)?;
        let caller = Caller {
            is_service: claims.role.as_deref() == Some(SERVICE_ROLE),
            user_id: claims.sub,
        };
        // jsonwebtoken accepts a token while `exp >= now - leeway` in whole seconds, that is
        // until the second `exp + leeway` ends; remembering it until that second starts is on
        // the safe side.
        let valid_until = claims.exp.saturating_add(self.validation.leeway);
        self.verified
            .remember(token, &caller, valid_until, since_unix_epoch());
        Ok(caller)
    }

    /// Decodes and checks a token, without the memo.
    fn decode(&self, token: &str) -> Result<Claims, ApiError> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|e| {
                use jsonwebtoken::errors::ErrorKind;
                let why = match e.kind() {
                    ErrorKind::ExpiredSignature => "Token expired",
                    ErrorKind::InvalidSignature => "Invalid token signature",
                    _ => "Invalid token",
                };
                ApiError::Unauthorized(why.to_owned())
            })?;
        if data.claims.sub.is_empty() {
            return Err(ApiError::Unauthorized("Token has an empty subject".into()));
        }
        // No user id contains U+0000, and PostgreSQL cannot compare text with one.
        if data.claims.sub.contains('\0') {
            return Err(ApiError::Unauthorized("Invalid token".into()));
        }
        Ok(data.claims)
    }
}

/// The time since the Unix epoch (zero if the clock is before 1970, which only a broken host
/// has).
fn since_unix_epoch() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
}

/// Seconds since the Unix epoch (0 if the clock is before 1970, which only a broken host has).
pub fn unix_now() -> u64 {
    since_unix_epoch().as_secs()
}

/// Extractor: the verified caller of a request, or 401.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map(Authenticated))
    }
}

fn authenticate(req: &HttpRequest) -> Result<Caller, ApiError> {
    let keys = req
        .app_data::<web::Data<JwtKeys>>()
        .ok_or_else(|| ApiError::Internal("JWT keys not registered".into()))?;
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("Missing bearer token".into()))?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("Authorization must be 'Bearer <token>'".into()))?;
    keys.verify(token)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is a failed test
mod tests {
    use super::*;

    /// A token for `u1` that expired an hour ago.
    fn expired_token(keys: &JwtKeys) -> String {
        let claims = Claims {
            sub: "u1".into(),
            exp: unix_now() - 3600,
            iat: None,
            role: None,
        };
        keys.sign(&claims).unwrap()
    }

    #[test]
    fn round_trip_roles_and_expiry() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let token = keys.issue("u1", false, Duration::from_secs(60)).unwrap();
        assert_eq!(
            keys.verify(&token).unwrap(),
            Caller {
                user_id: "u1".into(),
                is_service: false
            }
        );
        let token = keys.issue("ops", true, Duration::from_secs(60)).unwrap();
        assert!(keys.verify(&token).unwrap().is_service);

        let expired = expired_token(&keys);
        assert_eq!(
            keys.verify(&expired),
            Err(ApiError::Unauthorized("Token expired".into()))
        );
        let other = JwtKeys::new(b"another secret, also 32 bytes lo");
        assert_eq!(
            other.verify(&token),
            Err(ApiError::Unauthorized("Invalid token signature".into()))
        );
    }

    #[test]
    fn a_remembered_token_answers_as_verified_and_nothing_else_rides_on_it() {
        let keys = JwtKeys::new(b"0123456789abcdef0123456789abcdef");
        let token = keys.issue("u1", false, Duration::from_secs(60)).unwrap();
        let first = keys.verify(&token).unwrap();
        assert_eq!(keys.verified.get(&token), Some(first.clone()));
        // A clone (another worker's copy of the app data) sees the same memo.
        assert_eq!(keys.clone().verify(&token).unwrap(), first);
        // The same claims under another signature, and the token with its last character
        // changed, are checked on their own and refused.
        let (signed, _) = token.rsplit_once('.').unwrap();
        let forged = format!("{signed}.{}", "A".repeat(43));
        assert_eq!(
            keys.verify(&forged),
            Err(ApiError::Unauthorized("Invalid token signature".into()))
        );
        let mut tampered = token.clone();
        let last = tampered.pop().unwrap();
        tampered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(keys.verify(&tampered).is_err());
        // Tokens that fail are not remembered.
        assert_eq!(keys.verified.get(&forged), None);
        assert_eq!(keys.verified.get(&tampered), None);
        // Nor are expired ones: jsonwebtoken refuses them before the memo is asked to keep
        // them.
        let expired = expired_token(&keys);
        assert!(keys.verify(&expired).is_err());
        assert_eq!(keys.verified.get(&expired), None);
        // Keys for another secret have a memo of their own.
        let other = JwtKeys::new(b"another secret, also 32 bytes lo");
        assert!(other.verify(&token).is_err());
        assert_eq!(other.verified.get(&token), None);
    }
}
