//! Forms whose fields may repeat: a group of check boxes sends one `name=value` pair per
//! box ticked, which the plain form extractor refuses as a duplicate field.
//!
//! Invariants: [`ListForm`] joins the values of a repeated field with commas, in the
//! order sent, so a handler reads "one or more ids, comma-separated" the same whether
//! they came from check boxes or were typed; every field stays a string (the form
//! structs hold strings and parse them with a message that says what is wrong).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;

use crate::error::WebError;

/// A form body read as `T`, repeated fields joined with commas.
#[derive(Debug)]
pub(crate) struct ListForm<T>(pub T);

/// Decodes `body` (`application/x-www-form-urlencoded`) into `T`, joining the values of
/// a repeated field with commas.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, WebError> {
    let mut fields = serde_json::Map::new();
    for (name, value) in url::form_urlencoded::parse(body) {
        match fields.get_mut(name.as_ref()) {
            Some(serde_json::Value::String(joined)) => {
                if !value.is_empty() {
                    if !joined.is_empty() {
                        joined.push(',');
                    }
                    joined.push_str(&value);
                }
            }
            _ => {
                fields.insert(
                    name.into_owned(),
                    serde_json::Value::String(value.into_owned()),
                );
            }
        }
    }
    serde_json::from_value(serde_json::Value::Object(fields))
        .map_err(|e| WebError::BadRequest(format!("the form could not be read: {e}")))
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ListForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| WebError::BadRequest(format!("the form could not be read: {e}")))?;
        decode(&body).map(ListForm)
    }
}

/// A camera offered in a form's list of check boxes.
#[derive(Debug, Clone)]
pub(crate) struct CameraChoice {
    pub id: String,
    pub name: String,
    pub checked: bool,
}

/// The cameras as check boxes, those in `picked` (ids, comma-separated) ticked.
pub(crate) fn camera_choices(cameras: Vec<(String, String)>, picked: &str) -> Vec<CameraChoice> {
    let picked: Vec<&str> = picked
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    cameras
        .into_iter()
        .map(|(id, name)| CameraChoice {
            checked: picked.contains(&id.as_str()),
            id,
            name,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Hold {
        cameras: String,
        #[serde(default)]
        reason: String,
    }

    #[test]
    fn repeated_fields_arrive_joined_in_the_order_sent() {
        let h: Hold = decode(b"cameras=gate&reason=fight+at+gate&cameras=yard%2D2").expect("form");
        assert_eq!(h.cameras, "gate,yard-2");
        assert_eq!(h.reason, "fight at gate");
    }

    #[test]
    fn a_field_sent_once_reads_as_it_was_typed() {
        let h: Hold = decode(b"cameras=gate%2C+yard").expect("form");
        assert_eq!(h.cameras, "gate, yard");
        assert_eq!(h.reason, "");
    }

    #[test]
    fn a_missing_required_field_says_which() {
        let e = decode::<Hold>(b"reason=x").expect_err("no cameras");
        assert!(e.public().2.contains("cameras"), "{e:?}");
    }

    #[test]
    fn the_cameras_picked_are_ticked() {
        let c = camera_choices(
            vec![
                ("gate".into(), "Gate".into()),
                ("yard".into(), "Yard".into()),
            ],
            "yard",
        );
        assert!(!c[0].checked && c[1].checked);
    }
}
