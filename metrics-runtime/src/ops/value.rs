//! A document tree that both writers print: `json.rs` as JSON, `yaml.rs` as YAML.
//! Maps keep their insertion order, so generated files are stable and diffable.

/// A JSON or YAML value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

impl Value {
    /// An empty map, to fill with [`Value::insert`].
    pub(crate) fn map() -> Self {
        Value::Map(Vec::new())
    }

    /// Adds `key: value` to a map (no-op on other values).
    pub(crate) fn insert(&mut self, key: &str, value: impl Into<Value>) {
        if let Value::Map(entries) = self {
            entries.push((key.to_owned(), value.into()));
        }
    }

    /// `self` with `key: value` added.
    pub(crate) fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.insert(key, value);
        self
    }
}

/// `obj! { "key" => value, .. }`: a map in source order.
macro_rules! obj {
    ($($key:expr => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut map = $crate::ops::value::Value::map();
        $(map.insert($key, $value);)*
        map
    }};
}
pub(crate) use obj;

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Str(s.clone())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Self {
        Value::Int(i64::from(n))
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Self {
        Value::Float(n)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Self {
        Value::List(items)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

/// A list of strings.
pub(crate) fn strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Value {
    Value::List(items.into_iter().map(|s| Value::Str(s.as_ref().to_owned())).collect())
}
