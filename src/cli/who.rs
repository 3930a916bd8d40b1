//! Who records a change from the command line, and the key that signs it: in a ledger with people, the
//! person whose current key is in the key file (`-a`, if given, must name them); otherwise `-a`,
//! unsigned. Every command that records goes through [`meta`] or [`signer_for`].

use hyoka::domain::text;
use hyoka::ledger::Meta;

use super::clock::now;
use super::failure::Failure;
use super::i18n::t;
use super::options::Who;

/// Who records a change on `state`'s ledger, and the key that signs it ([`signer_for`]).
pub(super) fn meta(who: &Who, state: &hyoka::domain::state::State) -> Result<Meta, Failure> {
    let (author, signer) = signer_for(state, who.author.as_deref(), who.key.as_deref())?;
    Ok(Meta {
        author,
        reason: who.reason.clone(),
        source: None,
        recorded_at: now()?,
        new_point: who.new_point,
        signer,
    })
}

/// The author of a change and the key that signs it. In a ledger with people: the person whose
/// current key is in `key` (required; `-a`, if given, must name that person); otherwise `-a`
/// (required), unsigned.
pub(super) fn signer_for(
    state: &hyoka::domain::state::State,
    author: Option<&str>,
    key: Option<&std::path::Path>,
) -> Result<(String, Option<hyoka::ledger::signing::Signer>), Failure> {
    let Some(people) = &state.people else {
        let author = author.ok_or_else(|| Failure::usage(t!("who-no-author")))?;
        return Ok((author.to_string(), None));
    };
    let path = key.ok_or_else(|| Failure::from(t!("who-no-key")))?;
    let signer = super::keys::read_signer(path)?;
    let vkey = signer.verifier().to_text();
    let (id, _) = people
        .people
        .iter()
        .find(|(_, p)| p.vkey.as_deref() == Some(vkey.as_str()))
        .ok_or_else(|| {
            let was = people.key_in_use(&vkey).map_or(String::new(), |id| {
                t!("who-key-was", person = text::escape(id))
            });
            Failure::from(t!("who-key-not-current", file = path.display(), was = was))
        })?;
    if let Some(a) = author
        && !hyoka::domain::ident::same(a, id)
    {
        return Err(Failure::usage(t!(
            "who-author-not-key",
            author = text::escape(a),
            person = text::escape(id)
        )));
    }
    Ok((
        id.clone(),
        Some(hyoka::ledger::signing::Signer::new(signer)),
    ))
}
