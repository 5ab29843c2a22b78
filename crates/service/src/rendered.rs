//! [`Rendered`]: the operations' answers as rendered JSON bodies, cached, for a server to send.

use crate::{Envelope, Insights};

/// The read operations answering rendered JSON inside an [`Envelope`]: what a server sends.
///
/// Answers are cached per user as rendered bodies (with single-flight loading, and in the
/// shared tier when there is one), so a cache hit is a reference-count increment: the body
/// ([`RenderedJson::enveloped`](crate::RenderedJson::enveloped)) and its gzip encoding, made
/// once per cached value ([`RenderedJson::enveloped_gzip`](crate::RenderedJson::enveloped_gzip)),
/// are shared by every response. Every write through [`Insights`] drops the user's entries.
///
/// Made by [`Insights::rendered`]; cheap to make per request. Each payload is the serialisation
/// of what the typed operation of the same name returns.
#[derive(Clone, Copy)]
pub struct Rendered<'a> {
    pub(crate) insights: &'a Insights,
    pub(crate) envelope: Envelope,
}

impl std::fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendered")
            .field("envelope", &self.envelope)
            .finish_non_exhaustive()
    }
}

impl Insights {
    /// The rendered, cached form of the read operations, each body inside `envelope`.
    ///
    /// ```no_run
    /// # async fn demo(insights: insights_service::Insights) -> Result<(), insights_service::ServiceError> {
    /// use insights_service::{Envelope, EvolutionParams};
    /// const SUCCESS: Envelope = Envelope::new(r#"{"success":true,"data":"#, "}");
    /// let answer = insights
    ///     .rendered(SUCCESS)
    ///     .pattern_evolution("user-1", &EvolutionParams::default())
    ///     .await?;
    /// let body = answer.into_whole().enveloped(); // bytes::Bytes, shared with the cache
    /// # Ok(()) }
    /// ```
    pub fn rendered(&self, envelope: Envelope) -> Rendered<'_> {
        Rendered {
            insights: self,
            envelope,
        }
    }
}
