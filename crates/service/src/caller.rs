//! Who is calling, and whose data they may touch (docs/compatibility.md, section 1).

use crate::{Denial, ServiceError};

/// An authenticated caller: a user, or a trusted back-office service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The caller's user id (the JWT `sub`).
    pub user_id: String,
    /// `role: "service"`: may act for any user.
    pub is_service: bool,
}

impl Caller {
    /// The user whose data the request concerns: the requested `userId` when the caller may act
    /// for it, the caller itself when none is requested.
    ///
    /// ```
    /// use insights_service::Caller;
    /// let alice = Caller { user_id: "alice".into(), is_service: false };
    /// assert_eq!(alice.may_act_for(None).unwrap(), "alice");
    /// assert_eq!(alice.may_act_for(Some("alice")).unwrap(), "alice");
    /// assert!(alice.may_act_for(Some("bob")).is_err());
    /// let ops = Caller { user_id: "ops".into(), is_service: true };
    /// assert_eq!(ops.may_act_for(Some("bob")).unwrap(), "bob");
    /// ```
    pub fn may_act_for(&self, requested: Option<&str>) -> Result<String, ServiceError> {
        match requested.filter(|r| !r.is_empty()) {
            None => Ok(self.user_id.clone()),
            // PostgreSQL cannot compare text with U+0000 (a service caller's lookup was a 500).
            Some(user) if !crate::text::is_storable(user) => Err(ServiceError::validation(
                "userId",
                "userId must not contain the NUL character (U+0000)",
            )),
            Some(user) if user == self.user_id || self.is_service => Ok(user.to_owned()),
            Some(_) => Err(ServiceError::Forbidden(Denial::OtherUser)),
        }
    }
}
