//! A secret string: zeroized on drop, no `Debug`, no `Display`, no `Clone`. Reading it is explicit.

use zeroize::Zeroizing;

/// A credential or other secret text. Its only way out is [`SecretString::expose_secret`].
pub struct SecretString(Zeroizing<String>);

impl SecretString {
    pub fn new(s: String) -> SecretString {
        SecretString(Zeroizing::new(s))
    }

    /// The secret text, for the one place that must show or send it.
    pub fn expose_secret(&self) -> &str {
        self.0.as_str()
    }
}

impl From<String> for SecretString {
    fn from(s: String) -> Self {
        SecretString::new(s)
    }
}
